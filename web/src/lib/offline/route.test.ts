import { describe, expect, it } from "vitest";
import { routeOf } from "./route.ts";

const ORIGIN = "http://127.0.0.1:8787";
const ASSETS = new Set(["/_app/immutable/entry/app.js", "/manifest.webmanifest"]);
const route = (path: string, { method = "GET", mode = "cors", origin = ORIGIN } = {}) =>
  routeOf({ method, mode, url: `${origin}${path}` }, ORIGIN, ASSETS);

describe("routeOf", () => {
  it("serves this build's files from the precache", () => {
    expect(route("/_app/immutable/entry/app.js")).toBe("asset");
    expect(route("/manifest.webmanifest", { mode: "no-cors" })).toBe("asset");
  });

  it("takes every navigation to a route of the app as a page, visited or not", () => {
    for (const path of ["/", "/category/ai", "/search?q=sql", "/profile", "/login", "/no/such/page"]) {
      expect(route(path, { mode: "navigate" }), path).toBe("page");
    }
  });

  it("reads the catalog network first", () => {
    expect(route("/api/categories")).toBe("catalog");
    expect(route("/api/recommendations?category=ai")).toBe("catalog");
    expect(route("/api/videos?category=ai")).toBe("catalog");
  });

  it("never caches search, the account, events, exports or anything else of the worker's", () => {
    for (const path of ["/api/search?q=sql", "/api/me", "/api/status", "/api/exports/manifest", "/__scheduled"]) {
      expect(route(path), path).toBe("network");
      expect(route(path, { mode: "navigate" }), `${path} opened in a tab`).toBe("network");
    }
    expect(route("/api/events", { method: "POST" })).toBe("network");
  });

  it("sees sign-ins, sign-outs and profile changes, which make the saved catalog another learner's", () => {
    for (const path of ["/api/auth/login", "/api/auth/signup", "/api/auth/logout"]) {
      expect(route(path, { method: "POST" }), path).toBe("account");
    }
    expect(route("/api/me", { method: "PATCH" })).toBe("account");
    expect(route("/api/me")).toBe("network");
  });

  it("leaves other origins and files it did not precache to the network", () => {
    expect(route("/_app/immutable/entry/app.js", { origin: "https://cdn.example" })).toBe("network");
    expect(route("/_app/immutable/assets/duckdb-eh.wasm")).toBe("network");
    expect(route("/_app/version.json")).toBe("network");
  });
});
