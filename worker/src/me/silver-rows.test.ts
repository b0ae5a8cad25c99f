import { SILVER_SORT } from "@growit/contract";
import { describe, expect, inject, it } from "vitest";
import { EXPORT_LEARNERS, exportFixtureFiles } from "../../test/export-fixture.ts";
import { selfBucket } from "../../test/fixtures.ts";
import { ObjectGone } from "../storage/s3-range-file.ts";
import { openLearnerSilverFile, type SilverRow } from "./silver-rows.ts";

// The fixture's first file: 8,400 rows in five row groups, learner A's 2,500 in the second and third.
const [stored] = inject("exportFixture");
const [fixture] = exportFixtureFiles();
if (!stored || !fixture) throw new Error("the export fixture is missing");
const file = { key: stored.key, bytes: stored.bytes };

const bySort = (a: SilverRow, b: SilverRow) => {
  for (const column of SILVER_SORT) {
    const [x, y] = [a[column] ?? "", b[column] ?? ""];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

async function readAll(username: string) {
  const opened = await openLearnerSilverFile(selfBucket(), file, username);
  const rows: SilverRow[] = [];
  let batches = 0;
  for await (const batch of opened.rows()) {
    batches++;
    rows.push(...batch);
  }
  return { rowGroups: opened.rowGroups, rows, batches };
}

describe("openLearnerSilverFile", () => {
  it("reads a learner's rows whole and in file order, from the row groups that can hold them only", async () => {
    const { rowGroups, rows } = await readAll(EXPORT_LEARNERS.a);
    expect(rowGroups).toBe(2);
    const expected = fixture.rows.filter((r) => r.user_id === EXPORT_LEARNERS.a).sort(bySort);
    expect(rows).toHaveLength(2_500);
    expect(rows).toEqual(expected);
  });

  it("types what it reads as the export writes it: ISO timestamps, the date, nulls", async () => {
    const { rows } = await readAll(EXPORT_LEARNERS.b);
    expect(rows).toHaveLength(300);
    const login = rows.find((r) => r.type === "login");
    expect(login).toMatchObject({ client_ts: null, category: null, query: null, source: "server" });
    const search = rows.find((r) => r.type === "search_query");
    expect(search?.query).toBe('파이썬 입문 "quoted"');
    expect(search?.ts).toMatch(/^2026-03-02T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(search?.event_date).toBe("2026-03-02");
  });

  it("finds nothing for a learner outside every row group's user_id range, reading the footer alone", async () => {
    expect(await readAll("mmm-nobody")).toEqual({ rowGroups: 1, rows: [], batches: 0 });
    expect(await readAll("0-before-everyone")).toEqual({ rowGroups: 0, rows: [], batches: 0 });
  });

  it("says ObjectGone for a file that is not there", async () => {
    const gone = { key: stored.key.replace(/part-[^/]+$/, "part-gone.parquet"), bytes: stored.bytes };
    await expect(openLearnerSilverFile(selfBucket(), gone, EXPORT_LEARNERS.a)).rejects.toBeInstanceOf(ObjectGone);
  });
});
