import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonTextProblem, parseBronzeLine, REJECTED_VALUE_BYTES, sqlString, utf8ByteLength } from "@growit/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openDuck } from "./duck.ts";
import { type CheckedObject, checkObject } from "./line-check.ts";

const KEY = "bronze/app/2026/11/25/09-12-03-foreign.jsonl";
const REJECTED_AT = "2026-11-26T00:30:00.000Z";
const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const event = (n: number, fields: Record<string, unknown> = {}) => ({
  id: `0193a0b2-7c1e-7d4a-9f00-${String(n).padStart(12, "0")}`,
  type: "page_view",
  ts: "2026-11-25T09:12:03.120Z",
  username: "minji",
  props: { path: `/p/${n}` },
  received_at: "2026-11-25T09:12:03.481Z",
  source: "web",
  ...fields,
});
/** A line as the worker writes it: canonical. */
const line = (n: number, fields?: Record<string, unknown>) => JSON.stringify(event(n, fields));

/** Lines, as text or raw bytes, joined into an object's bytes with a LF after each. */
function objectOf(lines: Array<string | Uint8Array>, last = "\n"): Uint8Array {
  const parts = lines.map((l, i) => [
    typeof l === "string" ? encoder.encode(l) : l,
    encoder.encode(i < lines.length - 1 ? "\n" : last),
  ]);
  return Buffer.concat(parts.flat());
}

/** `bytes` as UTF-8, or null when they are not. */
function decodes(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

const check = (bytes: Uint8Array, normalize = false) =>
  checkObject({ key: KEY, bytes, rejectedAt: REJECTED_AT, normalize });
const usableText = ({ usable }: CheckedObject) => (typeof usable === "string" ? usable : strict.decode(usable));
const reject = (line: number, reason: string | RegExp, event: unknown) => ({
  reason: typeof reason === "string" ? reason : expect.stringMatching(reason),
  rejected_at: REJECTED_AT,
  stage: "etl",
  object: KEY,
  line,
  event,
});

describe("checkObject", () => {
  it("keeps an object whose lines are all canonical as its own bytes", () => {
    const bytes = objectOf([line(1), line(2)]);
    expect(check(bytes)).toEqual({ lines: 2, usable: bytes, usableLines: 2, rejects: [] });
    expect(check(bytes).usable).toBe(bytes);
  });

  const hugeLine = line(8, { props: { path: `/${"x".repeat(10 * 1024 * 1024)}` } });
  // One of each poison, with good lines around them; line 2 is either valid or not UTF-8.
  const poisoned = (line2: string | Uint8Array) =>
    objectOf(
      [
        line(1),
        line2,
        line(3).replace("/p/3", "/p/\0"), // a raw NUL
        line(4, { props: { path: "/\u0000" } }), // an escaped one, which DuckDB stores
        line(5, { props: { path: "/\ud800" } }), // escaped as \ud800, which DuckDB refuses
        `${line(6)}\r`,
        line(7, { id: event(7).id.toUpperCase() }),
        hugeLine,
        line(9),
        line(10).slice(0, 40),
      ],
      "",
    );
  const notUtf8 = Buffer.concat([
    encoder.encode(line(2).slice(0, 100)),
    Buffer.from([0xc3, 0x28, 0xff]),
    encoder.encode(line(2).slice(100)),
  ]);

  it.each([
    ["valid UTF-8", line(2), []],
    [
      "a line that is not UTF-8",
      notUtf8,
      [reject(2, "not valid UTF-8", `${line(2).slice(0, 100)}\ufffd(\ufffd${line(2).slice(100)}`)],
    ],
  ])("turns each poison into a reject naming its line, and keeps the rest (%s)", (_, line2, utf8Rejects) => {
    const checked = check(poisoned(line2));
    expect(checked.rejects).toEqual([
      ...utf8Rejects,
      reject(3, /^not JSON: Bad control character/, line(3).replace("/p/3", "/p/\0")),
      reject(
        5,
        "props.path: text must be well-formed Unicode (it holds a lone surrogate)",
        line(5, { props: { path: "/\ud800" } }),
      ),
      {
        ...reject(
          8,
          "line is longer than 65536 bytes (MAX_BRONZE_LINE_BYTES)",
          hugeLine.slice(0, REJECTED_VALUE_BYTES),
        ),
        truncated: true,
        bytes: hugeLine.length,
      },
      reject(10, /^not JSON: /, line(10).slice(0, 40)),
    ]);
    const kept = [
      line(1),
      ...(utf8Rejects.length ? [] : [line(2)]),
      line(4, { props: { path: "/\u0000" } }),
      line(6),
      line(7),
      line(9),
    ];
    expect(usableText(checked)).toBe(`${kept.join("\n")}\n`);
    expect(checked).toMatchObject({ lines: 10, usableLines: kept.length });
  });

  it("stores each reject well-formed and bounded, so that DuckDB can read the rejects", () => {
    // V8 quotes the first UTF-16 unit of a character it did not expect: half of this one's pair.
    const quoting = check(objectOf(["\u{10000}"])).rejects;
    expect(quoting).toEqual([reject(1, /^not JSON: /, "\u{10000}")]);
    for (const record of [...check(poisoned(notUtf8)).rejects, ...quoting]) {
      expect(jsonTextProblem(record, "reject")).toBeNull();
      expect(utf8ByteLength(JSON.stringify(record))).toBeLessThan(2 * REJECTED_VALUE_BYTES);
    }
  });

  it("hands DuckDB only lines and rejects that it reads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "growit-line-check-"));
    const duck = await openDuck({ memoryLimit: "256MB", tempDir: join(dir, "duck") });
    try {
      const objects = [
        poisoned(line(2)),
        poisoned(notUtf8),
        Buffer.concat([BOM, objectOf([line(1), line(2)])]),
        objectOf([line(1), "\u{10000}"]),
      ];
      const checked = objects.map((bytes) => check(bytes));
      for (const [i, { usable }] of checked.entries()) writeFileSync(join(dir, `usable-${i}.jsonl`), usable);
      const rejects = checked.flatMap((c) => c.rejects);
      writeFileSync(join(dir, "rejects.jsonl"), rejects.map((r) => `${JSON.stringify(r)}\n`).join(""));
      const count = async (file: string, columns: string) => {
        const sql = `SELECT count(*)::INTEGER FROM read_json(${sqlString(join(dir, file))}, format = 'newline_delimited'${columns})`;
        return (await duck.connection.runAndReadAll(sql)).getRows()[0]?.[0];
      };
      const columns = ", columns = {id: 'VARCHAR', ts: 'TIMESTAMP', props: 'JSON', received_at: 'TIMESTAMP'}";
      expect(await count("usable-*.jsonl", columns)).toBe(6 + 5 + 2 + 1);
      expect(await count("rejects.jsonl", "")).toBe(rejects.length);
    } finally {
      duck.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes off the byte order mark opening an object, and refuses one opening a later line", () => {
    expect(check(Buffer.concat([BOM, objectOf([line(1), line(2)])]))).toEqual({
      lines: 2,
      usable: `${line(1)}\n${line(2)}\n`,
      usableLines: 2,
      rejects: [],
    });
    const later = check(objectOf([line(1), `\ufeff${line(2)}`]));
    expect(later.rejects).toEqual([reject(2, /^not JSON: /, `\ufeff${line(2)}`)]);
    expect(later.usable).toBe(`${line(1)}\n`);
  });

  it("normalizes every line when asked, so that a duplicate key DuckDB would refuse is gone", () => {
    const duplicated = line(2).replace('"props":', '"props":{"path":"/first"},"props":');
    // As stored, it would reach DuckDB as it is: JSON.parse keeps the last copy and finds it canonical.
    expect(check(objectOf([line(1), duplicated])).usable).toEqual(objectOf([line(1), duplicated]));
    expect(check(objectOf([line(1), duplicated]), true)).toMatchObject({
      usable: `${line(1)}\n${line(2)}\n`,
      usableLines: 2,
      rejects: [],
    });
  });

  it("gives DuckDB nothing of an object with no usable line", () => {
    expect(check(objectOf([notUtf8, "{"]))).toMatchObject({ lines: 2, usable: "", usableLines: 0 });
    expect(check(new Uint8Array())).toEqual({ lines: 0, usable: new Uint8Array(), usableLines: 0, rejects: [] });
  });

  // Lines from every family above, and raw bytes, in any order and number.
  const anyLine = fc.oneof(
    fc.nat(999).map((n) => line(n)),
    fc.nat(999).map((n) => line(n, { id: event(n).id.toUpperCase(), extra: 1 })),
    fc.nat(999).map((n) => `${line(n)}\r`),
    fc.string({ unit: "binary" }).map((path) => line(1, { props: { path: `/${path}` } })),
    fc.tuple(fc.nat(999), fc.nat(300)).map(([n, cut]) => encoder.encode(line(n)).subarray(0, cut)),
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(999), fc.nat(200), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([n, at, junk]) => {
      const bytes = encoder.encode(line(n));
      return Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]);
    }),
  );
  const anyObject = fc
    .tuple(fc.boolean(), fc.array(anyLine, { maxLength: 12 }), fc.constantFrom("", "\n"))
    .map(([bom, lines, last]) => {
      const bytes = objectOf(lines, last);
      return bom ? Buffer.concat([BOM, bytes]) : bytes;
    });

  it("never throws, and keeps in order exactly the usable lines, as stored when canonical", () => {
    fc.assert(
      fc.property(anyObject, (bytes) => {
        const checked = check(bytes);
        const body = BOM.equals(bytes.subarray(0, 3)) ? bytes.subarray(3) : bytes;
        const lines = Buffer.from(body).toString("latin1").split("\n");
        if (lines.at(-1) === "") lines.pop();
        const kept = usableText(checked).split("\n");
        if (kept.at(-1) === "") kept.pop();
        expect(checked.lines).toBe(lines.length);
        expect(checked.usableLines).toBe(kept.length);
        expect(checked.rejects.length + kept.length).toBe(lines.length);
        const rejected = new Set(checked.rejects.map((r) => r.line));
        for (const [i, latin1] of lines.entries()) {
          const text = decodes(Buffer.from(latin1, "latin1"));
          const verdict = text === null ? null : parseBronzeLine(text);
          if (rejected.has(i + 1)) {
            expect(verdict?.ok ?? false).toBe(false);
            continue;
          }
          const keptLine = kept.shift() as string;
          const keptVerdict = parseBronzeLine(keptLine);
          expect(keptVerdict).toMatchObject({ ok: true, canonical: true });
          expect(keptLine.endsWith("\r")).toBe(false);
          if (verdict?.ok && verdict.canonical && !text?.endsWith("\r")) expect(keptLine).toBe(text);
          else expect(keptVerdict).toEqual({ ...verdict, canonical: true });
        }
        for (const record of checked.rejects) expect(jsonTextProblem(record, "reject")).toBeNull();
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});
