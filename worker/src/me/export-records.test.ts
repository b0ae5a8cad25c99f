import { type ExportAccountRecord, type ExportBronzeEvent, type ExportRecord, S3 } from "@growit/contract";
import { describe, expect, inject, it } from "vitest";
import { EXPORT_LEARNERS, exportFixtureFiles } from "../../test/export-fixture.ts";
import { selfBucket } from "../../test/fixtures.ts";
import { DAY_ATTEMPTS, ExportIncomplete, type ExportSources, exportRecords } from "./export-records.ts";
import type { SilverFile } from "./silver-rows.ts";

// The fixture's 2026-03-03, in two files: A has 40 rows in the first and 5 in the second.
const DAY = "2026-03-03";
const stored = inject("exportFixture").filter((f) => f.day === DAY);
const [first, second] = stored.map((f): SilverFile => ({ key: f.key, bytes: f.bytes }));
if (!first || !second) throw new Error("the export fixture is missing");
const missing: SilverFile = { key: first.key.replace(/part-[^/]+$/, "part-replaced.parquet"), bytes: first.bytes };
const expectedIds = exportFixtureFiles()
  .filter((f) => f.day === DAY)
  .flatMap((f) => f.rows)
  .filter((r) => r.user_id === EXPORT_LEARNERS.a)
  .map((r) => r.id);

const account: ExportAccountRecord = {
  record: "account",
  username: EXPORT_LEARNERS.a,
  full_name: "A",
  interests: [],
  role: "learner",
  created_at: "2026-03-01T00:00:00.000Z",
  exported_at: "2026-03-04T00:00:00.000Z",
};

function sources(files: SilverFile[], options: Partial<ExportSources> = {}): ExportSources {
  return {
    s3: selfBucket(),
    username: EXPORT_LEARNERS.a,
    account,
    silverDays: new Map([[DAY, files]]),
    pending: new Map(),
    relist: async () => [first as SilverFile, second as SilverFile],
    ...options,
  };
}

async function collect(records: AsyncGenerator<ExportRecord>): Promise<ExportRecord[]> {
  const all: ExportRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
}

const eventIds = (records: ExportRecord[]) => records.flatMap((r) => (r.record === "event" ? [r.id] : []));

describe("exportRecords", () => {
  it("reads a date again from the current file list when a listed file is gone before any of its rows went out", async () => {
    const relisted: string[] = [];
    const records = await collect(
      exportRecords(
        sources([missing, second as SilverFile], {
          relist: async (day) => {
            relisted.push(day);
            return [first as SilverFile, second as SilverFile];
          },
        }),
      ),
    );
    expect(relisted).toEqual([DAY]);
    expect(records[0]).toEqual(account);
    expect(eventIds(records).sort()).toEqual([...expectedIds].sort());
    expect(records.at(-1)).toEqual({ record: "end", events: 45, silver: 45, bronze: 0 });
  });

  it(`gives up on a date whose files keep disappearing, after ${DAY_ATTEMPTS} attempts`, async () => {
    const records = exportRecords(sources([missing], { relist: async () => [missing] }));
    await expect(collect(records)).rejects.toThrow(
      new ExportIncomplete(`the silver files of ${DAY} disappeared ${DAY_ATTEMPTS} times while being read`),
    );
  });

  it("ends the export as incomplete when a file goes after some of its date's rows went out", async () => {
    // The second file's footer is read, then it is gone by the time its rows are.
    const gets = new Map<string, number>();
    const s3 = new (class extends S3 {
      override send(key: string, request?: RequestInit | (() => RequestInit), query?: URLSearchParams) {
        gets.set(key, (gets.get(key) ?? 0) + 1);
        if (key === second?.key && (gets.get(key) ?? 0) > 1)
          return Promise.resolve(new Response(null, { status: 404 }));
        return super.send(key, request, query);
      }
    })(selfBucket().config);
    const seen: ExportRecord[] = [];
    const failure = await collect(
      (async function* () {
        for await (const record of exportRecords(sources([first as SilverFile, second as SilverFile], { s3 }))) {
          seen.push(record);
          yield record;
        }
      })(),
    ).catch((error: unknown) => error);
    expect(failure).toEqual(
      new ExportIncomplete(
        `the ETL replaced silver file ${second?.key} (${DAY}) while it was being read; export again`,
      ),
    );
    expect(eventIds(seen)).toHaveLength(40);
  });

  it("leaves out bronze events that silver holds, and counts what it wrote", async () => {
    const inSilver = expectedIds[0] as string;
    const bronze = (id: string): ExportBronzeEvent => ({
      record: "event",
      stage: "bronze",
      id,
      type: "page_view",
      ts: "2026-03-04T00:00:00.000Z",
      username: EXPORT_LEARNERS.a,
      props: { path: "/" },
      received_at: "2026-03-04T00:00:01.000Z",
      source: "web",
      bronze_object: "bronze/app/2026/03/04/part-000000000-x.jsonl",
    });
    const pending = new Map([inSilver, "only-in-bronze"].map((id) => [id, bronze(id)]));
    const records = await collect(exportRecords(sources([first as SilverFile, second as SilverFile], { pending })));
    expect(records.filter((r) => r.record === "event" && r.stage === "bronze")).toEqual([bronze("only-in-bronze")]);
    expect(records.filter((r) => r.record === "event" && r.id === inSilver)).toHaveLength(1);
    expect(records.at(-1)).toEqual({ record: "end", events: 46, silver: 45, bronze: 1 });
  });
});
