import adapter from "@sveltejs/adapter-static";

/** The SPA is static files served by the worker; unknown paths fall back to index.html. */
export default {
  kit: {
    adapter: adapter({ pages: "build", assets: "build", fallback: "index.html" }),
  },
};
