import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  bronzeDayPrefix,
  bronzeEventsObject,
  bronzeObjectKey,
  bronzeSealKey,
  S3,
  SEAL_HEADER,
  sealBronze,
} from "@growit/contract";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshBucket, testConfig } from "../test/fixtures.ts";
import { fetchBronze } from "./bronze-fetch.ts";

const DAY = "2026-03-04";
const SECRET = "the worker's seal secret";
const encoder = new TextEncoder();
const JSONL = "application/x-ndjson";

const line = (n: number, fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: `0195a000-0000-7000-8000-00000000000${n}`,
    type: "page_view",
    ts: `${DAY}T10:00:0${n}.000Z`,
    username: "minji",
    props: { path: "/" },
    received_at: `${DAY}T10:00:0${n}.500Z`,
    source: "web",
    ...fields,
  });
const jsonl = (...lines: string[]) => encoder.encode(`${lines.join("\n")}\n`);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const dayObjects = (s3: S3) => s3.listObjects(bronzeDayPrefix(DAY));
const keyAt = (second: number) => bronzeObjectKey(new Date(`${DAY}T10:00:0${second}Z`), crypto.randomUUID());

describe("fetchBronze and sealed objects", () => {
  let s3: S3;
  let dir: string;
  beforeAll(async () => {
    s3 = new S3(testConfig(await freshBucket()).s3);
    const root = await bronzeSealKey(SECRET);
    const sealed = jsonl(line(1), line(2));
    const sealedKey = keyAt(1);
    await s3.put(sealedKey, sealed, JSONL, { [SEAL_HEADER]: await sealBronze(root, sealedKey, sealed) });
    // Sealed, then altered: the seal no longer matches, so every line is checked.
    const altered = jsonl(line(3), line(4, { type: "no_such_type" }));
    const alteredKey = keyAt(2);
    await s3.put(alteredKey, altered, JSONL, {
      [SEAL_HEADER]: await sealBronze(root, alteredKey, jsonl(line(3), line(4))),
    });
    await s3.put(keyAt(3), jsonl(line(5), "{not json"), JSONL);
    // A sealed object copied to another key: its seal is the other key's, so its lines are checked.
    const moved = jsonl(line(6, { type: "no_such_type" }));
    await s3.put(keyAt(4), moved, JSONL, { [SEAL_HEADER]: await sealBronze(root, keyAt(5), moved) });
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "growit-bronze-fetch-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const usableLines = async () => {
    const files = (await readdir(dir)).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")));
    return texts.join("").trimEnd().split("\n");
  };

  it("takes an object whose seal holds as checked, and checks every line of the others", async () => {
    const fetched = await fetchBronze({ s3, objects: await dayObjects(s3), dir, concurrency: 2, sealSecret: SECRET });
    expect(fetched.sealedObjects).toBe(1);
    expect(fetched.objects.reduce((n, o) => n + o.lines, 0)).toBe(7);
    expect(fetched.objects.flatMap((o) => o.rejects).map((r) => [r.line, r.reason.slice(0, 12)])).toEqual([
      [2, "type must be"],
      [2, "not JSON: Ex"],
      [1, "type must be"],
    ]);
    expect(await usableLines()).toEqual([line(1), line(2), line(3), line(5)]);
  });

  it("checks every line when it has no seal key, or another one", async () => {
    for (const sealSecret of [undefined, "another secret"]) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      const objects = await dayObjects(s3);
      const fetched = await fetchBronze({ s3, objects, dir, concurrency: 2, ...(sealSecret ? { sealSecret } : {}) });
      expect(fetched.sealedObjects).toBe(0);
      expect(fetched.objects.flatMap((o) => o.rejects)).toHaveLength(3);
      expect(await usableLines()).toEqual([line(1), line(2), line(3), line(5)]);
    }
  });
});

describe("fetchBronze and large objects", () => {
  it("writes an object of many network chunks byte for byte and counts its lines", async () => {
    const s3 = new S3(testConfig(await freshBucket()).s3);
    const lines = Array.from({ length: 12_000 }, (_, i) =>
      line(1, {
        id: `0195a000-0000-7000-8000-${String(i).padStart(12, "0")}`,
        props: { path: `/${"x".repeat(i % 300)}` },
      }),
    );
    const body = jsonl(...lines);
    expect(body.length).toBeGreaterThan(3 << 20);
    const key = keyAt(1);
    await s3.put(key, body, JSONL, { [SEAL_HEADER]: await sealBronze(await bronzeSealKey(SECRET), key, body) });
    const dir = await mkdtemp(join(tmpdir(), "growit-bronze-fetch-"));
    try {
      const fetched = await fetchBronze({ s3, objects: await dayObjects(s3), dir, concurrency: 2, sealSecret: SECRET });
      expect(fetched).toMatchObject({ sealedObjects: 1, bytes: body.length, files: 1 });
      expect(fetched.objects[0]?.lines).toBe(12_000);
      const written = await readFile(join(dir, (await readdir(dir))[0] as string));
      expect(sha256(written)).toBe(sha256(body));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("fetchBronze and compressed objects", () => {
  let s3: S3;
  let dir: string;
  const gzipped = (...lines: string[]) => new Uint8Array(gzipSync(jsonl(...lines)));
  beforeEach(async () => {
    s3 = new S3(testConfig(await freshBucket()).s3);
    dir = await mkdtemp(join(tmpdir(), "growit-bronze-fetch-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const fetchDay = async () =>
    fetchBronze({ s3, objects: await dayObjects(s3), dir, concurrency: 2, sealSecret: SECRET });
  const texts = async () =>
    Object.fromEntries(
      await Promise.all(
        (await readdir(dir)).sort().map(async (name) => {
          const bytes = await readFile(join(dir, name));
          return [name, (name.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString()] as const;
        }),
      ),
    );

  it("keeps a sealed one compressed, as stored, its lines to be counted as DuckDB reads them", async () => {
    const key = keyAt(1);
    const stored = await bronzeEventsObject(key, jsonl(line(1), line(2)), await bronzeSealKey(SECRET));
    await s3.put(key, stored.body, JSONL, stored.headers);
    const fetched = await fetchDay();
    expect(fetched).toMatchObject({ sealedObjects: 1, bytes: stored.body.length, files: 1 });
    expect(fetched.objects[0]).toMatchObject({ lines: 0, uncounted: true, rejects: [] });
    const written = await readFile(join(dir, "00000000.jsonl.gz"));
    expect(sha256(written)).toBe(sha256(stored.body));
  });

  it("checks every line of one without a seal, and keeps its usable lines", async () => {
    await s3.put(keyAt(1), gzipped(line(1), "{not json", line(2)), JSONL, { "content-encoding": "gzip" });
    // Every line usable as stored: the file stays compressed.
    await s3.put(keyAt(2), gzipped(line(3)), JSONL, { "content-encoding": "gzip" });
    const fetched = await fetchDay();
    expect(fetched.sealedObjects).toBe(0);
    expect(fetched.objects.map((o) => [o.lines, o.usableLines, o.uncounted])).toEqual([
      [3, 2, undefined],
      [1, 1, undefined],
    ]);
    expect(fetched.objects[0]?.rejects.map((r) => [r.line, r.reason.slice(0, 8)])).toEqual([[2, "not JSON"]]);
    expect(await texts()).toEqual({
      "00000000.jsonl": `${line(1)}\n${line(2)}\n`,
      "00000001.jsonl.gz": `${line(3)}\n`,
    });
  });

  it("reads the lines before the damage of one cut short, and says where the rest went", async () => {
    const whole = gzipped(...Array.from({ length: 3_000 }, (_, i) => line(1, { props: { path: `/${i}` } })));
    await s3.put(keyAt(1), whole.subarray(0, whole.length / 2), JSONL, { "content-encoding": "gzip" });
    // Said to be compressed, and not: nothing can be read of it.
    await s3.put(keyAt(2), jsonl(line(2)), JSONL, { "content-encoding": "gzip" });
    const fetched = await fetchDay();
    const [cut, plain] = fetched.objects;
    expect(cut?.usableLines).toBeGreaterThan(100);
    expect(cut?.rejects.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/gzip stream is damaged \(unexpected end of file\)/),
    ]);
    expect(plain).toMatchObject({ lines: 0, usableLines: 0, file: null });
    expect(plain?.rejects.map((r) => [r.object, r.reason])).toEqual([
      [plain?.key, expect.stringMatching(/gzip stream is damaged \(incorrect header check\)/)],
    ]);
    expect(Object.keys(await texts())).toEqual(["00000000.jsonl"]);
  });

  it("refuses whole, with one reject naming it, an object whose lines pass the line check's bound", async () => {
    const bound = 2 ** 20;
    // A gzip bomb: a few KiB that inflate past the bound.
    await s3.put(keyAt(1), new Uint8Array(gzipSync(Buffer.alloc(8 * bound))), JSONL, { "content-encoding": "gzip" });
    await s3.put(
      keyAt(2),
      jsonl(...Array.from({ length: 8_000 }, (_, i) => line(2, { props: { path: `/${i}` } }))),
      JSONL,
    );
    await s3.put(keyAt(3), gzipped(line(3)), JSONL, { "content-encoding": "gzip" });
    const fetched = await fetchBronze({
      s3,
      objects: await dayObjects(s3),
      dir,
      concurrency: 2,
      maxCheckedBytes: bound,
    });
    const [bomb, large, small] = fetched.objects;
    for (const [refused, bytes] of [
      [bomb, "1 MiB once decompressed"],
      [large, "1 MiB"],
    ] as const) {
      expect(refused).toMatchObject({ lines: 0, usableLines: 0, file: null });
      expect(refused?.rejects.map((r) => [r.object, r.line, r.reason])).toEqual([
        [
          refused?.key,
          undefined,
          `the object is larger than the ${bytes} its line check reads, so none of its lines were used`,
        ],
      ]);
    }
    expect(small).toMatchObject({ lines: 1, usableLines: 1, rejects: [] });
    expect(Object.keys(await texts())).toEqual(["00000002.jsonl.gz"]);
  });
});
