/**
 * The gold marts as the exports carry them: each Postgres table `mart.<name>` is exported whole
 * as `exports/mart/<name>.parquet`, with these columns and DuckDB types, and listed in the
 * manifest. Column names are part of the contract.
 */
export const GOLD_MARTS = {
  daily_type_events: { event_date: "DATE", type: "VARCHAR", events: "BIGINT", learners: "BIGINT" },
  daily_category_events: {
    event_date: "DATE",
    category: "VARCHAR",
    type: "VARCHAR",
    events: "BIGINT",
    learners: "BIGINT",
  },
  recommendation_daily: { event_date: "DATE", category: "VARCHAR", requests: "BIGINT", opens: "BIGINT" },
  recommendation_positions: { event_date: "DATE", category: "VARCHAR", position: "INTEGER", opens: "BIGINT" },
  search_daily: { event_date: "DATE", searches: "BIGINT", zero_result: "BIGINT", opens: "BIGINT" },
  zero_result_queries: { event_date: "DATE", query: "VARCHAR", searches: "BIGINT" },
  retention_weekly: { cohort_week: "DATE", week_offset: "INTEGER", learners: "BIGINT" },
  interest_daily: { event_date: "DATE", interest: "VARCHAR", learners: "BIGINT", events: "BIGINT" },
} as const satisfies Record<string, Record<string, "DATE" | "VARCHAR" | "BIGINT" | "INTEGER">>;

export type GoldMart = keyof typeof GOLD_MARTS;

export const GOLD_MART_NAMES = Object.keys(GOLD_MARTS) as GoldMart[];

/** Where a gold mart's export lives. */
export const goldMartKey = (mart: GoldMart): string => `exports/mart/${mart}.parquet`;
