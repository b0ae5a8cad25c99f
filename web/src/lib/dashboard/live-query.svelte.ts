import type { QueryResult } from "./result.ts";
import type { Warehouse } from "./warehouse.svelte.ts";

/** A view's query: re-run whenever its SQL changes, keeping only the latest answer. */
export class LiveQuery {
  result = $state.raw<QueryResult | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  loading = $state(true);
  private latest = 0;

  /** `name` labels the timing the benchmark reads (`performance.getEntriesByName("query:<name>")`). */
  constructor(private readonly name: string) {}

  /** `files`: exports the SQL reads by key, registered first if they are not yet. */
  async run(warehouse: Warehouse, sql: string, files: readonly string[] = []): Promise<void> {
    const ticket = ++this.latest;
    this.loading = true;
    try {
      await warehouse.registerFiles(files);
      const result = await warehouse.query(sql);
      if (ticket !== this.latest) return;
      performance.measure(`query:${this.name}`, { start: performance.now() - result.ms, duration: result.ms });
      this.result = result;
      this.error = undefined;
    } catch (error) {
      if (ticket !== this.latest) return;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (ticket === this.latest) this.loading = false;
    }
  }
}
