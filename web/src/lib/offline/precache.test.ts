import { describe, expect, it } from "vitest";
import { cacheNames, isStale, precacheList } from "./precache.ts";

describe("the precache", () => {
  it("holds every chunk and asset of the build and every static file, but not DuckDB's engine", () => {
    const build = [
      "/_app/immutable/entry/start.js",
      "/_app/immutable/nodes/3.js",
      "/_app/immutable/chunks/BAIEOIVw.js",
      "/_app/immutable/assets/0.css",
      "/_app/immutable/assets/duckdb-eh.Bbw6HAmJ.wasm",
      "/_app/immutable/assets/duckdb-browser-eh.worker.DrIFGUaA.js",
    ];
    expect(precacheList(build, ["/manifest.webmanifest", "/icons/icon-192.png"])).toEqual([
      "/_app/immutable/entry/start.js",
      "/_app/immutable/nodes/3.js",
      "/_app/immutable/chunks/BAIEOIVw.js",
      "/_app/immutable/assets/0.css",
      "/manifest.webmanifest",
      "/icons/icon-192.png",
    ]);
  });

  it("names its caches after the version, and counts every other cache as stale", () => {
    const current = cacheNames("1796");
    expect(current.app).not.toBe(current.catalog);
    expect(isStale(current.app, "1796")).toBe(false);
    expect(isStale(current.catalog, "1796")).toBe(false);
    const older = cacheNames("1795");
    expect(isStale(older.app, "1796")).toBe(true);
    expect(isStale(older.catalog, "1796")).toBe(true);
    expect(isStale("something-else", "1796")).toBe(true);
  });
});
