import {
  bronzeDayPrefix,
  bronzeSealKey,
  LIMITS,
  type S3,
  SEAL_HEADER,
  sealBronze,
  utcDay,
  uuidv7,
} from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { objectsUnder, testEnv } from "../../test/fixtures.ts";
import { app } from "../app.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("events"));
});

const event = (props: Record<string, unknown> = { query: "pandas 판다스 🐼" }) => ({
  id: uuidv7(),
  type: "search_query",
  ts: new Date().toISOString(),
  props,
});

const post = (
  body: BodyInit | null,
  headers: Record<string, string> = { "content-type": "application/json" },
  target = env,
) => app.request("/api/events", { method: "POST", body, headers }, target);
const postEvents = (events: unknown[], target = env) => post(JSON.stringify({ events }), undefined, target);
const allKeys = () => s3.list("");

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
      expect(line).toEqual({ ...sent[i], username: null, received_at: expect.any(String), source: "web" });
      expect(Date.parse(line.received_at as string)).toBeGreaterThan(Date.now() - 60_000);
    }
    const [key] = objects.keys();
    expect(key).toMatch(/^bronze\/app\/\d{4}\/\d{2}\/\d{2}\/part-\d{9}-[0-9a-f-]{36}\.jsonl$/);

    // Sealed, so that the ETL can take its lines as checked.
    const { bytes, headers } = await s3.getObject(key as string);
    expect(headers.get(SEAL_HEADER)).toBe(
      await sealBronze(await bronzeSealKey(env.BRONZE_SEAL_KEY), key as string, bytes),
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
    const response = await postEvents([event()], down);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({ error: expect.stringMatching(/nothing was stored/), retryable: true });
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
