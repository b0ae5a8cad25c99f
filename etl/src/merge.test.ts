import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { SILVER_SORT, sqlString } from "@growit/contract";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Duck, openDuck } from "./duck.ts";
import { bronzeFileName, type ExistingFile, loadCopies, MAX_PARTITION_FILES, mergeCopies } from "./merge.ts";

const root = join(tmpdir(), `growit-etl-merge-test-${process.pid}`);
let dir: string;
let duck: Duck;
let run = 0;

const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`;
const line = (n: number, ts: string, receivedAt: string, path: string, username: string | null = "u1") =>
  JSON.stringify({
    id: id(n),
    type: "page_view",
    ts,
    username,
    props: { path },
    received_at: receivedAt,
    source: "web",
  });

/** Writes bronze objects (their lines) as the fetch would, those at `compressed` indexes as gzip, and loads them. */
async function load(objects: string[][], compressed: readonly number[] = []) {
  const files = objects.map((_, index) => ({
    index,
    key: `bronze/app/2026/01/05/part-00000000${index}-x.jsonl`,
    path: bronzeFileName(dir, index, { compressed: compressed.includes(index) }),
  }));
  for (const [index, lines] of objects.entries()) {
    const text = `${lines.join("\n")}\n`;
    await writeFile((files[index] as { path: string }).path, compressed.includes(index) ? gzipSync(text) : text);
  }
  return { files, loaded: await loadCopies(duck.connection, dir, files) };
}

/** What mergeCopies wrote for each day, as (id suffix, path) pairs, and the published files it replaced. */
async function merge(existing: Map<string, ExistingFile[]> = new Map(), rebuild?: { day: string; keys: string[] }) {
  const merged = await mergeCopies({
    connection: duck.connection,
    dir,
    existingFiles: async (days) => new Map([...existing].filter(([day]) => days.includes(day))),
    indexedFiles: async () => [...existing.values()].flat(),
    ...(rebuild ? { rebuild } : {}),
  });
  const days = new Map<string, { rows: string[]; replaces: string[]; mart: string; duplicates: number }>();
  for (const m of merged) {
    if (m.file) expect(await rowsOutOfSilverOrder(m.file.path), m.day).toBe(0);
    const rows = m.file
      ? (
          await duck.connection.runAndReadAll(
            `SELECT right(id, 2) || ' ' || (props ->> 'path') FROM read_parquet(${sqlString(m.file.path)}) ORDER BY 1`,
          )
        )
          .getRows()
          .map(([r]) => r as string)
      : [];
    const mart = `${m.mart.mode} ${m.mart.userIds.map((u, i) => `${u}=${m.mart.counts[i]}`).join(",")}`;
    days.set(m.day, { rows, replaces: m.replaces, mart, duplicates: m.duplicates });
  }
  return { merged, days };
}

/** How many rows of a silver file are not where SILVER_SORT puts them. */
async function rowsOutOfSilverOrder(path: string): Promise<number> {
  const result = await duck.connection.runAndReadAll(`SELECT count(*) FILTER (WHERE stored <> sorted) FROM (
    SELECT row_number() OVER (ORDER BY file_row_number) AS stored, row_number() OVER (ORDER BY ${SILVER_SORT.join(", ")}) AS sorted
    FROM read_parquet(${sqlString(path)}, file_row_number = true))`);
  return Number(result.getRows()[0]?.[0]);
}

/** Publishes what a merge wrote for `day` as an existing file (the cache's copy and sidecar). */
function published(merged: Awaited<ReturnType<typeof merge>>["merged"], day: string, key: string): ExistingFile {
  const file = merged.find((m) => m.day === day)?.file;
  if (!file) throw new Error(`nothing written for ${day}`);
  return { key, day, path: file.path, sidecar: file.sidecar };
}

beforeAll(async () => {
  duck = await openDuck({ memoryLimit: "256MB", tempDir: join(root, "duck") });
});
afterAll(async () => {
  duck.close();
  await rm(root, { recursive: true, force: true });
});
/** A new run directory: what earlier merges wrote stays, as the cache keeps published files. */
async function freshDir() {
  dir = join(root, `run-${run++}`);
  await mkdir(dir, { recursive: true });
}
beforeEach(freshDir);

describe("mergeCopies", () => {
  it("lifts category, query and the attribution ids out of props into their silver columns", async () => {
    const anonymousId = "01a237ed-7261-760d-93df-a47cc98d3e52";
    const sessionId = "01a237ed-7261-760d-93df-a47cc98d3e53";
    const event = (n: number, type: string, props: object) =>
      JSON.stringify({
        id: id(n),
        type,
        ts: "2026-01-05T10:00:00.000Z",
        username: null,
        props,
        received_at: "2026-01-05T10:00:01.000Z",
        source: "web",
      });
    await load([
      [
        event(1, "search_query", { query: "sql", anonymous_id: anonymousId, session_id: sessionId }),
        event(2, "course_open", { category: "data", course_id: "c1", anonymous_id: anonymousId }),
        event(3, "page_view", { path: "/" }),
      ],
    ]);
    const { merged } = await merge();
    const path = merged[0]?.file?.path as string;
    const rows = await duck.connection.runAndReadAll(
      `SELECT right(id, 1), category, query, anonymous_id, session_id FROM read_parquet(${sqlString(path)}) ORDER BY 1`,
    );
    expect(rows.getRows()).toEqual([
      ["1", null, "sql", anonymousId, sessionId],
      ["2", "data", null, anonymousId, null],
      ["3", null, null, null, null],
    ]);
  });

  it("keeps the winning copy of each id on its own date, and counts the mart per user", async () => {
    await load([
      [
        line(1, "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:02.000Z", "/late"),
        line(2, "2026-01-05T11:00:00.000Z", "2026-01-05T11:00:00.500Z", "/anonymous", null),
        line(3, "2026-01-04T23:00:00.000Z", "2026-01-04T23:00:00.500Z", "/day-before"),
        line(5, "2026-01-05T12:00:00.000Z", "2026-01-05T12:00:01.000Z", "/exact"),
        line(5, "2026-01-05T12:00:00.000Z", "2026-01-05T12:00:01.000Z", "/exact"),
        line(6, "2026-01-05T00:00:01.000Z", "2026-01-05T00:00:03.000Z", "/loses-to-the-day-before"),
      ],
      [
        line(1, "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:01.000Z", "/early"),
        line(6, "2026-01-04T23:59:59.000Z", "2026-01-05T00:00:02.000Z", "/wins-on-the-day-before"),
      ],
    ]);
    const { days } = await merge();
    expect(days.get("2026-01-05")).toMatchObject({
      rows: ["01 /early", "02 /anonymous", "05 /exact"],
      mart: "add u1=2",
      replaces: [],
    });
    expect(days.get("2026-01-04")?.rows).toEqual(["03 /day-before", "06 /wins-on-the-day-before"]);
  });

  it("drops a copy of an id already published on its date or the dates either side, unless it is earlier", async () => {
    await load([
      [
        line(1, "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:01.000Z", "/first"),
        line(2, "2026-01-05T23:59:59.000Z", "2026-01-06T00:00:01.000Z", "/before-midnight"),
        line(3, "2026-01-05T09:00:00.000Z", "2026-01-05T09:00:05.000Z", "/later-copy-published"),
      ],
    ]);
    const first = await merge();
    const existing = new Map([["2026-01-05", [published(first.merged, "2026-01-05", "silver/a.parquet")]]]);
    await freshDir();
    await load([
      [
        // A re-send ten days later: the same id and ts, received later.
        line(1, "2026-01-05T10:00:00.000Z", "2026-01-15T10:00:00.000Z", "/re-sent"),
        // The same event, its corrected time a little past midnight: a neighbour's duplicate.
        line(2, "2026-01-06T00:00:00.500Z", "2026-01-06T00:00:02.000Z", "/after-midnight"),
        // An earlier copy that reached the ETL after the later one was published: it wins.
        line(3, "2026-01-05T09:00:00.000Z", "2026-01-05T09:00:01.000Z", "/earlier-copy"),
        line(4, "2026-01-05T13:00:00.000Z", "2026-01-15T13:00:00.000Z", "/new"),
      ],
    ]);
    const { days } = await merge(existing);
    expect(days.get("2026-01-05")).toMatchObject({
      rows: ["01 /first", "02 /before-midnight", "03 /earlier-copy", "04 /new"],
      replaces: ["silver/a.parquet"],
      mart: "replace u1=4",
    });
    expect(days.get("2026-01-06")).toMatchObject({ rows: [], duplicates: 1 });
  });

  it("drops a copy whose corrected time lies days from the published one's (its client's clock was set right between two sends)", async () => {
    await load([[line(8, "2026-01-10T10:00:00.000Z", "2026-01-10T10:00:01.000Z", "/original")]]);
    const first = await merge();
    const existing = new Map([["2026-01-10", [published(first.merged, "2026-01-10", "silver/original.parquet")]]]);
    await freshDir();
    await load([[line(8, "2026-01-05T10:00:00.000Z", "2026-01-12T10:00:01.000Z", "/resent-five-days-off")]]);
    const { days } = await merge(existing);
    expect(days.get("2026-01-05")).toMatchObject({ rows: [], duplicates: 1 });
    expect(days.has("2026-01-10")).toBe(false);
  });

  it(`adds a small file to a partition, and once it would pass ${MAX_PARTITION_FILES} files compacts all but its largest with it`, async () => {
    const at = (n: number, path: string) =>
      line(n, `2026-01-05T${String(n).padStart(2, "0")}:00:00.000Z`, "2026-01-06T00:00:00.000Z", path);
    await load([[at(1, "/base"), at(2, "/base")]]);
    const largest = published((await merge()).merged, "2026-01-05", "silver/base.parquet");
    const files = [largest];
    for (let n = 3; files.length < MAX_PARTITION_FILES; n++) {
      await freshDir();
      await load([[at(n, "/late")]]);
      const { merged, days } = await merge(new Map([["2026-01-05", files]]));
      expect(days.get("2026-01-05")).toMatchObject({ rows: [`0${n} /late`], replaces: [], mart: "add u1=1" });
      expect(merged[0]?.added).toBe(merged[0]?.file?.path);
      files.push(published(merged, "2026-01-05", `silver/late-${n}.parquet`));
    }
    await freshDir();
    await load([[at(10, "/new")]]);
    const { merged, days } = await merge(new Map([["2026-01-05", files]]));
    const [day] = merged;
    expect(days.get("2026-01-05")).toMatchObject({
      rows: ["03 /late", "04 /late", "05 /late", "06 /late", "07 /late", "08 /late", "09 /late", "10 /new"],
      replaces: files.slice(1).map((f) => f.key),
      mart: "add u1=1",
    });
    expect(day?.silverFiles).toEqual([largest.path, day?.file?.path]);
    // The day's marts are added to from the run's own rows, not from the compacted file.
    const added = await duck.connection.runAndReadAll(
      `SELECT right(id, 2) FROM read_parquet(${sqlString(day?.added ?? "")})`,
    );
    expect(added.getRows()).toEqual([["10"]]);
  });

  it("reads files written before client_ts and bronze_object existed, and lets a new copy fill them in", async () => {
    const old = join(dir, "old.parquet");
    await duck.connection.run(`COPY (SELECT '${id(7)}' AS id, 'page_view' AS type, TIMESTAMP '2026-01-05 08:00:00' AS ts,
      DATE '2026-01-05' AS event_date, 'u1' AS user_id, '{"path":"/old"}' AS props, NULL AS category, NULL AS query,
      TIMESTAMP '2026-01-05 08:00:01' AS received_at, 'web' AS source) TO ${sqlString(old)} (FORMAT parquet)`);
    const existing = new Map([
      ["2026-01-05", [{ key: "silver/old.parquet", day: "2026-01-05", path: old, sidecar: `${old}.ids` }]],
    ]);
    await load([[line(7, "2026-01-05T08:00:00.000Z", "2026-01-05T08:00:01.000Z", "/old")]]);
    const { days } = await merge(existing);
    expect(days.get("2026-01-05")).toMatchObject({ rows: ["07 /old"], replaces: ["silver/old.parquet"] });
  });

  it("rebuilds a day from the loaded copies alone, replacing the files named", async () => {
    await load([[line(1, "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:01.000Z", "/only")]]);
    const { days } = await merge(new Map(), { day: "2026-01-05", keys: ["silver/x.parquet", "silver/y.parquet"] });
    expect(days.get("2026-01-05")).toMatchObject({
      rows: ["01 /only"],
      replaces: ["silver/x.parquet", "silver/y.parquet"],
      mart: "replace u1=1",
    });
  });

  it("reads compressed and plain files alike, each as its own object", async () => {
    const at = (n: number) => line(n, `2026-01-0${n}T10:00:00.000Z`, `2026-01-0${n}T10:00:01.000Z`, `/${n}`);
    const { loaded } = await load([[at(1)], [at(2), at(3)], [at(4)], [at(5), at(6), at(7)]], [1, 3]);
    expect(loaded.quarantined.size).toBe(0);
    expect(loaded.lines).toEqual(
      new Map([
        [0, 1],
        [1, 2],
        [2, 1],
        [3, 3],
      ]),
    );
    expect(loaded.eventDates).toEqual(
      new Map([
        [0, ["2026-01-01"]],
        [1, ["2026-01-02", "2026-01-03"]],
        [2, ["2026-01-04"]],
        [3, ["2026-01-05", "2026-01-06", "2026-01-07"]],
      ]),
    );
    const { days } = await merge();
    expect(days.get("2026-01-06")?.rows).toEqual(["06 /6"]);
  });

  it("quarantines a file DuckDB cannot read, and loads the others", async () => {
    const { loaded } = await load([
      [line(1, "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:01.000Z", "/fine")],
      // A lone surrogate's escape, which only a seal could let through unchecked.
      [line(2, "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:01.000Z", "/").replace('"path":"/"', '"path":"\\ud800"')],
    ]);
    expect([...loaded.quarantined.keys()]).toEqual([1]);
    expect(loaded.eventDates).toEqual(new Map([[0, ["2026-01-05"]]]));
  });
});
