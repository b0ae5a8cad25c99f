// A single-page app: everything renders in the browser, served by the worker with an index.html fallback.
export const ssr = false;
export const prerender = false;
