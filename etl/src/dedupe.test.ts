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
});
