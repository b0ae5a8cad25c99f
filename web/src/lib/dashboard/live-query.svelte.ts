import { Resource } from "../resource.svelte.ts";
import type { QueryResult } from "./result.ts";
import type { Warehouse } from "./warehouse.svelte.ts";

interface Query {
  warehouse: Warehouse;
  sql: string;
  /** Exports the SQL reads by key, registered first if they are not yet. */
  files: readonly string[];
}

/** A view's query: a resource of the warehouse, run again whenever its SQL changes. */
export class LiveQuery extends Resource<QueryResult> {
  #query: Query | undefined;

  /** `name` labels the timing the benchmark reads (`performance.getEntriesByName("query:<name>")`). */
  constructor(private readonly name: string) {
    super(async () => {
      if (!this.#query) throw new Error("no query has been run yet");
      const { warehouse, sql, files } = this.#query;
      return { data: await warehouse.query(sql, files), savedAt: undefined };
    });
  }

  async run(warehouse: Warehouse, sql: string, files: readonly string[] = []): Promise<void> {
    this.#query = { warehouse, sql, files };
    if (!(await this.reload()) || !this.data) return;
    performance.measure(`query:${this.name}`, { start: performance.now() - this.data.ms, duration: this.data.ms });
  }
}
