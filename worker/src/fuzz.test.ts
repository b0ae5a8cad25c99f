// Malformed requests against every endpoint: none may cause a 5xx, none may store a client
// event, and the worker must still be healthy afterwards. Generated from a fixed seed, so a
// failure can be replayed.
import type { S3 } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { bronzeEvents, testEnv } from "../test/fixtures.ts";
import { app } from "./app.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("fuzz"));
});

/** mulberry32: a small seeded PRNG. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const ENDPOINTS = [
  "/api/events",
  "/api/health",
  "/api/auth/signup",
  "/api/auth/login",
  "/api/auth/logout",
  "/api/me",
  "/api/categories",
  "/api/recommendations",
  "/api/videos",
  "/api/search",
  "/api/status",
  "/api/exports/manifest",
  "/api/exports/exports/mart/daily_events.parquet",
  "/api/nope",
];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const QUERIES = [
  "",
  "?category=",
  "?category=ai",
  "?category=%00",
  "?category=../../etc/passwd",
  "?q=%27%20OR%201%3D1--",
  `?q=${"가".repeat(300)}`,
  "?q=%F0%9F%90%BC&page=-1&limit=1e9",
  "?page=NaN&limit=Infinity&q=x",
  "?__proto__[polluted]=1&constructor[prototype][polluted]=1",
  "?category=ai&category=data",
  "?%=%",
];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  'application/json; charset="utf-8"',
  "",
  "application/json;;;",
];
const COOKIES = [
  "",
  "growit_session=",
  "growit_session=abc.def.ghi",
  "growit_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhbmFseXN0In0.",
  `growit_session=${"x".repeat(4000)}`,
  "growit_session=%E0%A4%A; other=1",
  "; ; =; growit_session",
];
const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const invalidEvent = (rand: ReturnType<typeof prng>) =>
  rand.pick([
    { type: "page_view", ts: new Date().toISOString(), props: { path: "/" } },
    { id: "not-a-uuid", type: "page_view", ts: new Date().toISOString(), props: { path: "/" } },
    { id: crypto.randomUUID(), type: "login", ts: new Date().toISOString(), props: {} },
    { id: crypto.randomUUID(), type: "page_view", ts: "2020-01-01T00:00:00Z", props: { path: "/" } },
    {
      id: crypto.randomUUID(),
      type: "page_view",
      ts: new Date(Date.now() + 3_600_000).toISOString(),
      props: { path: "/" },
    },
    { id: crypto.randomUUID(), type: "page_view", ts: new Date().toISOString(), props: { path: "/", x: "\ud800" } },
    { id: crypto.randomUUID(), type: "page_view", ts: new Date().toISOString(), props: { path: "/", "\udc00": 1 } },
    { id: crypto.randomUUID(), type: "page_view", ts: new Date().toISOString(), props: { path: 42 } },
    { id: crypto.randomUUID(), type: "__proto__", ts: new Date().toISOString(), props: {} },
    { id: crypto.randomUUID(), type: "search_query", ts: new Date().toISOString(), props: { query: "x".repeat(9000) } },
    JSON.parse(
      `{"id":"${crypto.randomUUID()}","type":"constructor","ts":"${new Date().toISOString()}","props":{"__proto__":{"admin":true}}}`,
    ),
    null,
    "event",
    12,
    [],
  ]);
// None of these may turn an invalid event valid: a sent_at from the past could bring an old ts
// back within the horizon, so the only valid one here lies far in the future.
const sentAt = (rand: ReturnType<typeof prng>) =>
  rand.pick([undefined, null, "now", "2026-13-45T99:99:99Z", 1e12, { at: 1 }, "\ud800", "9999-12-31T23:59:59.999Z"]);
function body(rand: ReturnType<typeof prng>): BodyInit | undefined {
  return rand.pick<() => BodyInit | undefined>([
    () => undefined,
    () => "",
    () => "{",
    () => "null",
    () => "[]",
    () => '"string"',
    () => "1e309",
    () => deep(100_000),
    () => `{"events":${deep(50_000)}}`,
    () => new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
    () => crypto.getRandomValues(new Uint8Array(Math.floor(rand.next() * 2048))),
    () =>
      JSON.stringify({
        events: Array.from({ length: 1 + Math.floor(rand.next() * 5) }, () => invalidEvent(rand)),
        sent_at: sentAt(rand),
      }),
    // JSON.stringify cannot write these: 1e400 parses as Infinity, and a raw lone surrogate escape in a key.
    () =>
      `{"events":[{"id":"${crypto.randomUUID()}","type":"page_view","ts":"${new Date().toISOString()}",` +
      `"props":{"path":"/","n":1e400}},{"id":"${crypto.randomUUID()}","type":"page_view",` +
      `"ts":"${new Date().toISOString()}","props":{"path":"/","\\udbff":"x"}}]}`,
    () => JSON.stringify({ events: Array.from({ length: 501 }, () => invalidEvent(rand)) }),
    () => JSON.stringify({ events: "all of them" }),
    () => `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"events":[]}`,
    () => JSON.stringify({ username: "A".repeat(10_000), password: ["x"], full_name: { a: 1 }, interests: "ai" }),
    () =>
      JSON.stringify({
        username: "x'; DROP TABLE app.users; --",
        password: "\u0000".repeat(20),
        full_name: "<script>",
      }),
    () => JSON.stringify({ username: null, password: null }),
    () => JSON.stringify({ full_name: "", interests: [null, 1, {}, "🐼"] }),
    () => "x".repeat(1024 * 1024 + 10),
  ])();
}

describe("fuzz", () => {
  it("answers 320 malformed requests without a 5xx or a stored client event, and stays healthy", async () => {
    const rand = prng(20261126);
    const failures: string[] = [];
    for (let i = 0; i < 320; i++) {
      const method = rand.pick(METHODS);
      const path = `${rand.pick(ENDPOINTS)}${rand.pick(QUERIES)}`;
      const headers: Record<string, string> = {};
      const contentType = rand.pick(CONTENT_TYPES);
      if (contentType) headers["content-type"] = contentType;
      const cookie = rand.pick(COOKIES);
      if (cookie) headers.cookie = cookie;
      if (rand.next() < 0.3) headers.origin = rand.pick(["https://evil.example", "null", "http://localhost"]);
      if (rand.next() < 0.2) headers["content-length"] = rand.pick(["-1", "99999999999", "abc"]);
      if (rand.next() < 0.2) headers["x-huge"] = "y".repeat(8000);
      const requestBody = method === "GET" || method === "HEAD" ? undefined : body(rand);
      let status: number;
      try {
        const response = await app.request(path, { method, headers, body: requestBody }, env);
        status = response.status;
        await response.body?.cancel();
      } catch (error) {
        failures.push(`#${i} ${method} ${path}: threw ${(error as Error).message}`);
        continue;
      }
      if (status >= 500) failures.push(`#${i} ${method} ${path} (${contentType || "no type"}): ${status}`);
    }
    expect(failures).toEqual([]);

    const stored = await bronzeEvents(s3);
    expect(stored.filter((event) => event.source === "web")).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const health = await app.request("/api/health", {}, env);
    expect(health.status).toBe(200);
  });
});
