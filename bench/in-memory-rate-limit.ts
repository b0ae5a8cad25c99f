// A Miniflare plugin (loaded by path, through an `unsafe` binding: see deployed-worker.ts) that
// gives a worker its Rate Limiting bindings counted in memory in the worker's own isolate, as
// Miniflare 4 did. Miniflare 5's own binding asks a Durable Object backed by SQLite on disk on
// every `limit()`: two more workers on the way (the binding's module, an object-entry worker)
// and a write committed to disk before the answer. That costs more workerd CPU per request than
// the rest of an ingest request, so that the benchmark measured Miniflare's stand-in for the
// limiter more than the worker; Cloudflare's limiter answers from a counter cached where the
// worker runs. The limits stay those of wrangler.jsonc and every request is still checked:
// a key over its limit in the current window is refused.
//
// Type-only imports and no other syntax Node cannot strip: Miniflare imports this file itself,
// also under vitest (e2e), where no TypeScript loader but Node's own is in the way.
import type { Plugin } from "miniflare";

/** The binding type and plugin name the bindings carry (`unsafe:<type>`, `dev.plugin.name`). */
export const IN_MEMORY_RATE_LIMIT = "growit-in-memory-rate-limit";

/** What each binding passes the plugin (`dev.options`): wrangler.jsonc's `namespace_id` and `simple`. */
export interface InMemoryRateLimitOptions {
  namespace: string;
  limit: number;
  period: number;
}

const MODULE = `${IN_MEMORY_RATE_LIMIT}:module`;

/**
 * The binding as workerd runs it: a wrapped binding built from this module's default export with
 * the inner bindings `namespace`, `limit` and `period`. Its check is that of Miniflare 5's
 * RateLimiterObject (fixed windows aligned to the clock, `delta` counted, refused at the limit),
 * its counters per namespace, shared by the bindings of one namespace in an isolate.
 */
const LIMITER_MODULE = `
const OPTION_KEYS = ["key", "limit", "period", "delta"];
const PERIODS = [10, 60];
const namespaces = new Map();

function check(test, message) {
  if (!test) throw new Error(message);
}

class InMemoryRateLimit {
  constructor({ namespace, limit, period }) {
    this.namespace = namespace;
    this.limitValue = limit;
    this.period = period;
  }

  async limit(options) {
    check(typeof options === "object" && options !== null, "invalid rate limit options");
    const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.includes(key));
    check(unknown.length === 0, "bad rate limit options: [" + unknown.join(",") + "]");
    const { key = "", limit = this.limitValue, period = this.period, delta = 1 } = options;
    check(typeof key === "string", "invalid key: " + key);
    check(typeof limit === "number", "limit must be a number: " + limit);
    check(PERIODS.includes(period), "unsupported period: " + period);
    check(Number.isInteger(delta) && delta > 0, "delta must be a positive integer: " + delta);
    const epoch = Math.floor(Date.now() / (period * 1000));
    let windows = namespaces.get(this.namespace);
    if (!windows) namespaces.set(this.namespace, (windows = new Map()));
    let window = windows.get(period);
    if (!window || window.epoch !== epoch) windows.set(period, (window = { epoch, counts: new Map() }));
    const count = window.counts.get(key) ?? 0;
    if (count >= limit) return { success: false };
    window.counts.set(key, count + delta);
    return { success: true };
  }
}

export default (env) => new InMemoryRateLimit(env);
`;

const bindingsOf = (env: Record<string, unknown> | undefined): Array<[string, InMemoryRateLimitOptions]> =>
  Object.entries(env ?? {}).flatMap(([name, binding]) => {
    const b = binding as { type?: unknown; dev?: { options?: InMemoryRateLimitOptions } };
    return b.type === `unsafe:${IN_MEMORY_RATE_LIMIT}` && b.dev?.options ? [[name, b.dev.options]] : [];
  });

const plugin: Plugin = {
  bindingTypeDescription: "Rate Limit (in memory)",
  getBindings: (options) =>
    bindingsOf(options.config.env).map(([name, { namespace, limit, period }]) => ({
      name,
      wrapped: {
        moduleName: MODULE,
        innerBindings: [
          { name: "namespace", json: JSON.stringify(namespace) },
          { name: "limit", json: JSON.stringify(limit) },
          { name: "period", json: JSON.stringify(period) },
        ],
      },
    })),
  getNodeBindings: () => ({}),
  getServices: () => [],
  getExtensions: ({ options }) =>
    options.some((o) => bindingsOf(o.config.env).length > 0)
      ? [{ modules: [{ name: MODULE, esModule: LIMITER_MODULE, internal: true }] }]
      : [],
};

/** What Miniflare looks for in a plugin package: its plugins by name. */
export const plugins = { [IN_MEMORY_RATE_LIMIT]: plugin };
