import {
  BRONZE_CONTENT_ENCODING,
  bronzeDayPrefix,
  bronzeSealKey,
  DAY_MS,
  gzip,
  LIMITS,
  type S3,
  SEAL_HEADER,
  sealBronze,
  utcDay,
  uuidv7,
} from "@growit/contract";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { bronzeEvents, objectsUnder, testEnv } from "../../test/fixtures.ts";
import { app } from "../app.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("events"));
});

const event = (props: Record<string, unknown> = { query: "pandas 판다스 🐼" }, ts = new Date().toISOString()) => ({
  id: uuidv7(),
  type: "search_query",
  ts,
  props,
});
const HOUR_MS = 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

const post = (
  body: BodyInit | null,
  headers: Record<string, string> = { "content-type": "application/json" },
  target = env,
) => app.request("/api/events", { method: "POST", body, headers }, target);
const postEvents = (events: unknown[], target = env) => post(JSON.stringify({ events }), undefined, target);
const postBatch = (events: unknown[], sentAt: unknown) => post(JSON.stringify({ events, sent_at: sentAt }));
const allKeys = () => s3.list("");
const storedById = async () => new Map((await bronzeEvents(s3)).map((line) => [line.id as string, line]));

describe("POST /api/events", () => {
  it("stores a valid batch byte-faithfully and stamps it", async () => {
    const sent = [event(), event({ query: 'x"; DROP TABLE app.users; --', tags: ["<script>", { deep: [1, null] }] })];
    const response = await postEvents(sent.map((e) => ({ ...e, username: "spoofed", source: "server" })));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, rejected: [] });

    const objects = await objectsUnder(s3, bronzeDayPrefix(utcDay(new Date())));
    const stored = [...objects.values()].flat() as Array<Record<string, unknown>>;
    expect(stored).toHaveLength(2);
    for (const [i, line] of stored.entries()) {
      expect(line).toEqual({
        ...sent[i],
        client_ts: sent[i]?.ts,
        username: null,
        received_at: expect.any(String),
        source: "web",
      });
      expect(Object.keys(line)).toEqual([
        "id",
        "type",
        "ts",
        "client_ts",
        "username",
        "props",
        "received_at",
        "source",
      ]);
      expect(Date.parse(line.received_at as string)).toBeGreaterThan(Date.now() - 60_000);
    }
    const [key] = objects.keys();
    expect(key).toMatch(/^bronze\/app\/\d{4}\/\d{2}\/\d{2}\/part-\d{9}-[0-9a-f-]{36}\.jsonl$/);

    // Stored compressed (fetch has decoded it here) and sealed over the stored bytes, so that the
    // ETL can take its lines as checked; the platform's gzip gives the same bytes again.
    const { bytes, headers } = await s3.getObject(key as string);
    expect(headers.get("content-encoding")).toBe(BRONZE_CONTENT_ENCODING);
    expect(headers.get(SEAL_HEADER)).toBe(
      await sealBronze(await bronzeSealKey(env.BRONZE_SEAL_KEY), key as string, await gzip(bytes)),
    );
  });

  it("reports invalid events by index and keeps them as rejects", async () => {
    const before = new Set(await allKeys());
    const response = await postEvents([event(), { ...event(), type: "login" }, "junk", event({})]);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, reason: "type login is emitted by the server only" },
        { index: 2, reason: "event must be a JSON object" },
        { index: 3, reason: expect.stringMatching(/^props\.query: /) },
      ],
    });
    const added = (await allKeys()).filter((key) => !before.has(key));
    expect(added.filter((key) => key.startsWith("bronze/app/"))).toHaveLength(1);
    const [rejectKey] = added.filter((key) => key.startsWith("bronze/_rejected/"));
    const rejects = (await s3.getText(rejectKey as string))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.index, r.stage, r.event])).toEqual([
      [1, "worker", expect.objectContaining({ type: "login" })],
      [2, "worker", "junk"],
      [3, "worker", expect.objectContaining({ props: {} })],
    ]);
  });

  it("stores a client clock two hours fast at the corrected time, and what the client sent as client_ts", async () => {
    const before = Date.now();
    // By the true clock the event happened 5 s before the batch was sent; the client's clock says 2 h later.
    const sent = event(undefined, iso(before - 5000 + 2 * HOUR_MS));
    const response = await postBatch([sent], iso(before + 2 * HOUR_MS));
    const after = Date.now();
    expect(await response.json()).toEqual({ accepted: 1, rejected: [] });
    const line = (await storedById()).get(sent.id);
    expect(line?.client_ts).toBe(sent.ts);
    const at = Date.parse(line?.ts as string);
    expect(at).toBeGreaterThanOrEqual(before - 5000);
    expect(at).toBeLessThanOrEqual(after - 5000);
    expect(at).toBe(Date.parse(line?.received_at as string) - 5000);
  });

  it("rejects by index an event older than the horizon once corrected, and stores the rest of its batch", async () => {
    const now = Date.now();
    const batch = [event(), event(undefined, iso(now - 31 * DAY_MS)), event(undefined, iso(now - 29 * DAY_MS))];
    const response = await postBatch(batch, iso(now));
    expect(await response.json()).toEqual({
      accepted: 2,
      rejected: [{ index: 1, reason: expect.stringContaining("(LIMITS.maxEventAgeDays)") }],
    });
    const stored = await storedById();
    expect(batch.map((e) => stored.has(e.id))).toEqual([true, false, true]);
    // Offline for 29 days: accepted, at its own time, into the bronze day it arrived on.
    const late = stored.get(batch[2]?.id as string);
    expect(Date.parse(late?.ts as string)).toBeLessThan(now - 28 * DAY_MS);
    const arrivalDay = await objectsUnder(s3, bronzeDayPrefix(utcDay(new Date(late?.received_at as string))));
    expect([...arrivalDay.values()].flat()).toContainEqual(late);
  });

  it("refuses a lone surrogate sent as a JSON escape by index, and stores nothing of it as an event", async () => {
    const before = new Set(await allKeys());
    const id = uuidv7();
    const response = await post(
      `{"events":[{"id":"${id}","ts":"${iso(Date.now())}","type":"page_view","props":{"path":"/","x":"\\ud800"}}]}`,
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      accepted: 0,
      rejected: [{ index: 0, reason: "props.x: text must be well-formed Unicode (it holds a lone surrogate)" }],
    });
    const added = (await allKeys()).filter((key) => !before.has(key));
    expect(added.filter((key) => key.startsWith("bronze/app/"))).toEqual([]);
    // Kept as a reject with the lone surrogate replaced by U+FFFD, so that DuckDB can read the rejects too.
    const [rejectKey] = added.filter((key) => key.startsWith("bronze/_rejected/"));
    const { bytes } = await s3.getObject(rejectKey as string);
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    expect(text).not.toContain("\\ud800");
    expect(JSON.parse(text)).toMatchObject({ index: 0, event: { id, props: { x: "\ufffd" } } });
  });

  it("refuses a ts 20 minutes ahead without sent_at, and corrects it with one", async () => {
    const ahead = iso(Date.now() + 20 * 60_000);
    const alone = event(undefined, ahead);
    expect(await (await postEvents([alone])).json()).toEqual({
      accepted: 0,
      rejected: [{ index: 0, reason: expect.stringContaining("(LIMITS.maxFutureSkewMs)") }],
    });
    const sent = event(undefined, ahead);
    const before = Date.now();
    const response = await postBatch([sent], iso(Date.parse(ahead) + 1000));
    const after = Date.now();
    expect(await response.json()).toEqual({ accepted: 1, rejected: [] });
    const stored = await storedById();
    expect(stored.has(alone.id)).toBe(false);
    const at = Date.parse(stored.get(sent.id)?.ts as string);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(after - 1000);
    expect(stored.get(sent.id)?.client_ts).toBe(ahead);
  });

  it.each([
    ["not a timestamp", "just now"],
    ["a timestamp without a zone", "2026-12-02T10:00:00"],
    ["a date that does not exist", "2026-13-45T10:00:00Z"],
    ["a number", 1_700_000_000_000],
    ["null", null],
    ["an object", { at: "now" }],
  ])("ignores a sent_at that is %s: its events keep their ts", async (_, sentAt) => {
    const sent = event(undefined, iso(Date.now() - 3 * DAY_MS));
    expect(await (await postBatch([sent], sentAt)).json()).toEqual({ accepted: 1, rejected: [] });
    expect((await storedById()).get(sent.id)?.ts).toBe(sent.ts);
  });

  const deepBody = `{"events":[${"[".repeat(200_000)}${"]".repeat(200_000)}]}`;
  const badRequests: Array<[string, () => Response | Promise<Response>, number, RegExp]> = [
    ["malformed JSON", () => post('{"events": [}'), 400, /^body is not valid JSON/],
    [
      "invalid UTF-8",
      () => post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
      400,
      /^body is not valid UTF-8$/,
    ],
    [
      "a wrong content type",
      () => post(JSON.stringify({ events: [event()] }), { "content-type": "text/plain" }),
      415,
      /^content-type must be application\/json/,
    ],
    [
      "no content type",
      () => post(new TextEncoder().encode(JSON.stringify({ events: [event()] })), {}),
      415,
      /^content-type must be application\/json, not missing/,
    ],
    [
      "a non-UTF-8 charset",
      () => post("{}", { "content-type": "application/json; charset=latin1" }),
      415,
      /^charset must be utf-8/,
    ],
    ["an empty body", () => post(""), 400, /^body is empty$/],
    [
      "a declared oversized body",
      () => post("{}", { "content-type": "application/json", "content-length": String(LIMITS.maxBodyBytes + 1) }),
      413,
      /^body is 1048577 bytes/,
    ],
    [
      "an oversized body",
      () => post(JSON.stringify({ events: [event({ query: "x".repeat(LIMITS.maxBodyBytes) })] })),
      413,
      /^body is more than 1048576 bytes$/,
    ],
    [
      "a body larger than its declared length",
      () =>
        post(JSON.stringify({ events: [event({ query: "x".repeat(LIMITS.maxBodyBytes) })] }), {
          "content-type": "application/json",
          "content-length": "100",
        }),
      413,
      /^body is more than 1048576 bytes$/,
    ],
    ["a body without events", () => post("{}"), 400, /"events" array/],
    ["events that is not an array", () => post('{"events":{"0":{}}}'), 400, /"events" array/],
    ["a JSON array body", () => post("[]"), 400, /"events" array/],
    ["an empty events array", () => post('{"events":[]}'), 400, /^events is empty$/],
    [
      "too many events",
      () => postEvents(Array.from({ length: LIMITS.maxEventsPerBatch + 1 }, () => event())),
      413,
      /^events holds 501 events, more than 500$/,
    ],
  ];

  it.each(badRequests)("refuses %s with a JSON 4xx and writes nothing", async (_, send, status, message) => {
    const before = await allKeys();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await response.json()) as { error: string }).toEqual({ error: expect.stringMatching(message) });
    expect(await allKeys()).toEqual(before);
  });

  it("survives absurd nesting without a 5xx", async () => {
    const response = await post(deepBody);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      accepted: 0,
      rejected: [{ index: 0, reason: "event must be a JSON object" }],
    });
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"])("answers %s with 405", async (method) => {
    const response = await app.request("/api/events", { method }, env);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await response.json()).toEqual({ error: `method ${method} is not allowed on /api/events; use POST` });
  });

  it("answers 503 retryable and claims nothing when S3 is down", async () => {
    const before = await allKeys();
    const down: Env = { ...env, S3_ENDPOINT: "http://127.0.0.1:1" };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await postEvents([event()], down);
    const lines = logged.mock.calls.flat();
    logged.mockRestore();
    expect(lines).toContainEqual({
      msg: "storing events failed",
      route: "POST /api/events",
      path: "/api/events",
      events: 1,
      rejects: 0,
      error: expect.any(String),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({
      error: expect.stringMatching(/nothing was stored/),
      retryable: true,
      retry_after: 1,
    });
    expect(await allKeys()).toEqual(before);
  });

  it("groups concurrent requests into fewer objects, each request answered after its own events are stored", async () => {
    const prefix = bronzeDayPrefix(utcDay(new Date()));
    const before = new Set(await s3.list(prefix));
    const batches = Array.from({ length: 40 }, () => Array.from({ length: 20 }, () => event()));
    const responses = await Promise.all(batches.map((batch) => postEvents(batch)));
    expect(responses.map((r) => r.status)).toEqual(batches.map(() => 202));
    const added = [...(await objectsUnder(s3, prefix)).entries()].filter(([key]) => !before.has(key));
    expect(added.length).toBeLessThan(batches.length / 2);
    const storedIds = added.flatMap(([, lines]) => lines.map((line) => (line as { id: string }).id));
    expect(storedIds.sort()).toEqual(
      batches
        .flat()
        .map((e) => e.id)
        .sort(),
    );
  });
});
