import adapter from "@sveltejs/adapter-static";

/** The SPA is static files served by the worker; unknown paths fall back to index.html. */
export default {
  kit: {
    adapter: adapter({ pages: "build", assets: "build", fallback: "index.html" }),
    serviceWorker: {
      // The app registers it itself ($lib/offline/updates.svelte.ts), to offer the reload when a new build waits.
      register: false,
      // `_headers` is the asset server's configuration, not a file it serves.
      files: (file) => !file.startsWith("_"),
    },
    // SvelteKit hashes its own inline bootstrap script into a <meta> policy: scripts run only
    // from this origin or with that hash. DuckDB-WASM needs 'wasm-unsafe-eval' and its worker
    // (a blob: URL); Observable Plot writes <style> into its SVGs. No plugins, no <base>, forms
    // post here only. What a <meta> policy cannot carry (frame-ancestors) and the other headers
    // are in static/_headers.
    csp: {
      mode: "hash",
      directives: {
        "default-src": ["self"],
        "script-src": ["self", "wasm-unsafe-eval"],
        "worker-src": ["self", "blob:"],
        "connect-src": ["self"],
        "img-src": ["self", "data:"],
        "style-src": ["self", "unsafe-inline"],
        "font-src": ["self"],
        "object-src": ["none"],
        "base-uri": ["none"],
        "form-action": ["self"],
      },
    },
  },
};
