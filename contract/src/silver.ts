/**
 * The silver table: one row per event id, in `silver/events/event_date=YYYY-MM-DD/part-*.parquet`
 * (a partition may hold several files; no id is in two of them). The types are DuckDB's (and so
 * Parquet's logical types as DuckDB and DuckDB-WASM read them back).
 */
export const SILVER_COLUMNS = [
  { name: "id", type: "VARCHAR" },
  { name: "type", type: "VARCHAR" },
  /** When the event happened, its client's clock corrected (EventEnvelope.ts). */
  { name: "ts", type: "TIMESTAMP" },
  /** The client's own ts as it sent it; null for server events and bronze lines without one. */
  { name: "client_ts", type: "TIMESTAMP" },
  /** The UTC date of ts. */
  { name: "event_date", type: "DATE" },
  /** The envelope's username; null for anonymous events. */
  { name: "user_id", type: "VARCHAR" },
  /** props as JSON text. */
  { name: "props", type: "VARCHAR" },
  /** props.category and props.query, lifted out for the dashboard. */
  { name: "category", type: "VARCHAR" },
  { name: "query", type: "VARCHAR" },
  /** props.anonymous_id and props.session_id (ATTRIBUTION_PROPS): the browser and the visit. */
  { name: "anonymous_id", type: "VARCHAR" },
  { name: "session_id", type: "VARCHAR" },
  { name: "received_at", type: "TIMESTAMP" },
  { name: "source", type: "VARCHAR" },
  /** The key of the bronze object the row's copy came from (its lineage, and the dedupe's tie-break). */
  { name: "bronze_object", type: "VARCHAR" },
] as const;

export type SilverColumn = (typeof SILVER_COLUMNS)[number]["name"];

/** Silver partitions are sorted by these, so that a reader's range requests touch few row groups per user. */
export const SILVER_SORT = ["user_id", "ts", "id"] as const satisfies readonly SilverColumn[];

/** Rows per Parquet row group: small enough for ranged browser reads, large enough to compress well. */
export const SILVER_ROW_GROUP_ROWS = 100_000;
