// The worker's source is part of this program for its types alone: its AppType types the SPA's
// API calls (lib/api.ts). What the worker's own program declares from workerd's types
// (worker/worker-configuration.d.ts) stands in here; nothing in the SPA uses it.

declare module "cloudflare:workers" {
  export function waitUntil(promise: Promise<unknown>): void;
}

/** The worker's bindings; their types matter only inside the worker. */
// biome-ignore lint/suspicious/noExplicitAny: the worker's own program checks its bindings.
interface Env extends Record<string, any> {}
