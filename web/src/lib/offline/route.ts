/**
 * How the service worker treats each request:
 * - `asset`: a file of this build (precached), from the cache;
 * - `page`: a navigation, network first, else the app shell, so every route opens offline;
 * - `catalog`: a catalog read, network first, else the copy saved last time;
 * - `account`: a sign-in, sign-out or profile change: passed on, and the saved catalog answers
 *   are dropped, since recommendations are ranked for whoever is signed in;
 * - `network`: passed on untouched (account and event requests, other origins): never cached.
 */
export type Route = "asset" | "page" | "catalog" | "account" | "network";

export const CATALOG_PATHS: ReadonlySet<string> = new Set(["/api/categories", "/api/recommendations", "/api/videos"]);

const ACCOUNT_PATH = /^\/api\/(auth\/|me$)/;
/** What the worker answers itself; `run_worker_first` in wrangler.jsonc lists the same. */
const WORKER_PATH = /^\/(api\/|__scheduled$)/;

export interface RequestLike {
  method: string;
  url: string;
  mode: string;
}

export function routeOf(request: RequestLike, origin: string, assets: ReadonlySet<string>): Route {
  const url = new URL(request.url);
  if (url.origin !== origin) return "network";
  if (request.method !== "GET") return ACCOUNT_PATH.test(url.pathname) ? "account" : "network";
  if (WORKER_PATH.test(url.pathname)) return CATALOG_PATHS.has(url.pathname) ? "catalog" : "network";
  if (request.mode === "navigate") return "page";
  return assets.has(url.pathname) ? "asset" : "network";
}
