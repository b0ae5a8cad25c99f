import { afterEach, describe, expect, it } from "vitest";
import { LiveQuery } from "./live-query.svelte.ts";
import type { QueryResult } from "./result.ts";
import type { Warehouse } from "./warehouse.svelte.ts";

/** A warehouse whose queries answer in the order the test releases them. */
function fakeWarehouse() {
  const registered: string[][] = [];
  const pending = new Map<string, (result: QueryResult) => void>();
  const warehouse = {
    query: (sql: string, files: readonly string[] = []) => {
      registered.push([...files]);
      return new Promise<QueryResult>((resolve) => pending.set(sql, resolve));
    },
  } as unknown as Warehouse;
  const answer = async (sql: string, ms: number) => {
    while (!pending.has(sql)) await new Promise((r) => setTimeout(r, 1));
    pending.get(sql)?.({ ms } as QueryResult);
  };
  return { warehouse, registered, answer };
}

const timings = (name: string) => performance.getEntriesByName(`query:${name}`).map((e) => Math.round(e.duration));

afterEach(() => performance.clearMeasures());

describe("LiveQuery", () => {
  it("passes the files its SQL reads along, and keeps and times the latest SQL's answer only", async () => {
    const { warehouse, registered, answer } = fakeWarehouse();
    const query = new LiveQuery("day-users");
    const old = query.run(warehouse, "SELECT 1", ["silver/a.parquet"]);
    const latest = query.run(warehouse, "SELECT 2");
    await answer("SELECT 2", 20);
    await latest;
    await answer("SELECT 1", 10);
    await old;
    expect(registered).toEqual([["silver/a.parquet"], []]);
    expect([query.data?.ms, query.loading]).toEqual([20, false]);
    expect(timings("day-users")).toEqual([20]);
  });

  it("says what the warehouse refused, and times nothing", async () => {
    const warehouse = {
      query: async () => {
        throw new Error("Parser Error: syntax error at end of input");
      },
    } as unknown as Warehouse;
    const query = new LiveQuery("top-users");
    await query.run(warehouse, "SELECT");
    expect(query.error?.message).toBe("Parser Error: syntax error at end of input");
    expect(timings("top-users")).toEqual([]);
  });
});
