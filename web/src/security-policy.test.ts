// The SPA's policy: the <meta> Content-Security-Policy SvelteKit writes with its script hashes
// (svelte.config.js), and the headers every static file carries (static/_headers).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import config from "../svelte.config.js";

/** The `/*` rule of a `_headers` file: header name (lower case) to value. */
function headersForAll(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  let inRule = false;
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      inRule = line.trim() === "/*";
      continue;
    }
    const [, name = "", value = ""] = /^\s+([^:]+):\s*(.*)$/.exec(line) ?? [];
    if (inRule && name) headers.set(name.toLowerCase(), value);
  }
  return headers;
}

const staticHeaders = headersForAll(readFileSync(new URL("../static/_headers", import.meta.url), "utf8"));
const { directives } = config.kit.csp;

describe("the SPA's Content-Security-Policy", () => {
  it("is hashed: scripts run from this origin or by SvelteKit's hash, never inline or by eval", () => {
    expect(config.kit.csp.mode).toBe("hash");
    expect(directives["script-src"]).toEqual(["self", "wasm-unsafe-eval"]);
    expect(directives["default-src"]).toEqual(["self"]);
  });

  it("allows no plugins, no <base> and forms that post here only", () => {
    expect(directives["object-src"]).toEqual(["none"]);
    expect(directives["base-uri"]).toEqual(["none"]);
    expect(directives["form-action"]).toEqual(["self"]);
  });

  it("lets DuckDB-WASM run: WebAssembly and its worker from a blob: URL", () => {
    expect(directives["script-src"]).toContain("wasm-unsafe-eval");
    expect(directives["worker-src"]).toEqual(["self", "blob:"]);
    expect(directives["connect-src"]).toEqual(["self"]);
  });
});

describe("the SPA's static headers", () => {
  it("forbid framing, which a <meta> policy cannot", () => {
    expect(staticHeaders.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(staticHeaders.get("x-frame-options")).toBe("DENY");
  });

  it("deny the powerful features the app never uses", () => {
    const denied = (staticHeaders.get("permissions-policy") ?? "").split(/,\s*/);
    for (const feature of ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]) {
      expect(denied).toContain(`${feature}=()`);
    }
  });

  it("keep the rest: no sniffing, a referrer of the origin only to other sites, an isolated opener", () => {
    expect(staticHeaders.get("x-content-type-options")).toBe("nosniff");
    expect(staticHeaders.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(staticHeaders.get("cross-origin-opener-policy")).toBe("same-origin");
  });
});
