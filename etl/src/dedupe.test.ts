import { COPY_RANK, copyWins, type RankedCopy, sqlString } from "@growit/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dedupeSql, winningRowsSql } from "./dedupe.ts";
import { type Duck, openDuck } from "./duck.ts";

describe("dedupeSql", () => {
  let duck: Duck;
  beforeAll(async () => {
    duck = await openDuck({ memoryLimit: "256MB", tempDir: "/tmp/growit-etl-dedupe-test" });
  });
  afterAll(() => duck.close());

  const winners = async (rows: string) => {
    const copies = `(SELECT * FROM (VALUES ${rows}) AS t(id, type, ts, client_ts, user_id, props, received_at, source, object_order))`;
    const result = await duck.connection.runAndReadAll(
      `SELECT id, props, deduped.copies FROM (${dedupeSql(copies)}) AS deduped ORDER BY id`,
    );
    return result.getRowObjectsJson();
  };
  const copy = (id: string, props: string, receivedAt: string, key: string) =>
    `('${id}', 'page_view', TIMESTAMP '2026-01-05 10:00:00', NULL, 'u', '${props}', TIMESTAMP '${receivedAt}', 'web', '${key}')`;

  it("keeps the earliest received_at, whatever the object", async () => {
    expect(
      await winners(
        [
          copy("a", "late", "2026-01-05 10:00:02", "bronze/app/2026/01/05/part-1"),
          copy("a", "early", "2026-01-05 10:00:01", "bronze/app/2026/01/05/part-2"),
          copy("b", "only", "2026-01-05 10:00:01", "bronze/app/2026/01/05/part-2"),
        ].join(","),
      ),
    ).toEqual([
      { id: "a", props: "early", copies: "2" },
      { id: "b", props: "only", copies: "1" },
    ]);
  });

  it("breaks received_at ties by the earlier object, then by content", async () => {
    expect(
      await winners(
        [
          copy("a", "from-b", "2026-01-05 10:00:01", "bronze/app/2026/01/05/part-b"),
          copy("a", "from-a", "2026-01-05 10:00:01", "bronze/app/2026/01/05/part-a"),
          copy("c", "z", "2026-01-05 10:00:01", "k"),
          copy("c", "y", "2026-01-05 10:00:01", "k"),
        ].join(","),
      ),
    ).toEqual([
      { id: "a", props: "from-a", copies: "2" },
      { id: "c", props: "y", copies: "2" },
    ]);
  });

  it("names by winningRowsSql the copies that dedupeSql keeps", async () => {
    const rows = [
      copy("a", "late", "2026-01-05 10:00:02", "k1"),
      copy("a", "early", "2026-01-05 10:00:01", "k2"),
      copy("c", "z", "2026-01-05 10:00:01", "k"),
      copy("c", "y", "2026-01-05 10:00:01", "k"),
      copy("d", "same", "2026-01-05 10:00:01", "k"),
      copy("d", "same", "2026-01-05 10:00:01", "k"),
    ];
    const numbered = `(SELECT row_number() OVER () AS copy_row, * FROM (VALUES ${rows.join(",")})
      AS t(id, type, ts, client_ts, user_id, props, received_at, source, object_order))`;
    const kept = await duck.connection.runAndReadAll(`SELECT id, props FROM ${numbered}
      WHERE copy_row IN (${winningRowsSql(numbered)}) ORDER BY id`);
    expect(kept.getRowObjectsJson()).toEqual([
      { id: "a", props: "early" },
      { id: "c", props: "y" },
      { id: "d", props: "same" },
    ]);
    expect((await winners(rows.join(","))).map(({ id, props }) => ({ id, props }))).toEqual(kept.getRowObjectsJson());
  });

  it("picks the winner copyWins picks, the one rule both the ETL and the learner's export apply", async () => {
    const iso = (second: number) => `2026-01-05T10:00:0${second}.000Z`;
    const value = (field: (typeof COPY_RANK)[number], v: string | null) =>
      v === null
        ? "NULL"
        : ["received_at", "ts", "client_ts"].includes(field)
          ? `TIMESTAMP ${sqlString(v)}`
          : sqlString(v);
    const rankedCopy = fc.record<RankedCopy>({
      received_at: fc.integer({ min: 1, max: 2 }).map(iso),
      bronze_object: fc.constantFrom("bronze/app/2026/01/05/part-a", "bronze/app/2026/01/05/part-b"),
      type: fc.constantFrom("page_view", "search_query"),
      ts: fc.integer({ min: 0, max: 1 }).map(iso),
      client_ts: fc.option(fc.integer({ min: 0, max: 1 }).map(iso)),
      user_id: fc.option(fc.constantFrom("u", "v")),
      props: fc.constantFrom('{"path":"/"}', '{"path":"/b"}', "{}", '{"q":"\uffff"}', '{"q":"\u{1f600}"}'),
      source: fc.constantFrom("web", "server"),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), rankedCopy), { minLength: 1, maxLength: 12 }),
        async (copies) => {
          const expected = new Map<string, RankedCopy>();
          for (const [id, ranked] of copies) {
            const held = expected.get(id);
            if (!held || copyWins(ranked, held)) expected.set(id, ranked);
          }
          const rows = copies.map(
            ([id, ranked]) => `(${sqlString(id)}, ${COPY_RANK.map((field) => value(field, ranked[field])).join(", ")})`,
          );
          const relation = `(SELECT *, bronze_object AS object_order FROM (VALUES ${rows.join(", ")}) AS t(id, ${COPY_RANK.join(", ")}))`;
          const result = await duck.connection.runAndReadAll(
            `SELECT id, received_at, object_order, props FROM (${dedupeSql(relation)}) ORDER BY id`,
          );
          expect(result.getRowObjectsJson()).toEqual(
            [...expected.entries()]
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([id, winner]) => ({
                id,
                received_at: winner.received_at?.replace("T", " ").replace(".000Z", ""),
                object_order: winner.bronze_object,
                props: winner.props,
              })),
          );
        },
      ),
      { numRuns: 100, seed: 20261205 },
    );
  });
});
