/** A column type of the mart exports, as DuckDB names it. */
export type ExportColumnType = "DATE" | "VARCHAR" | "BIGINT" | "INTEGER";

/** An export's columns, by name, in order. */
export type ExportColumns = Readonly<Record<string, ExportColumnType>>;

/**
 * The seed's mart `mart.daily_events` as its export (EXPORT_KEYS.dailyEvents) carries it: a row
 * per day and signed-in learner with their count of events, sorted by day and learner.
 */
export const DAILY_EVENTS_COLUMNS = {
  event_date: "DATE",
  user_id: "VARCHAR",
  cnt: "BIGINT",
} as const satisfies ExportColumns;

/** A SELECT list that gives each of `columns` its export type. */
export const exportSelect = (columns: ExportColumns): string =>
  Object.entries(columns)
    .map(([name, type]) => `CAST(${name} AS ${type}) AS ${name}`)
    .join(", ");

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
} as const satisfies Record<string, ExportColumns>;

export type GoldMart = keyof typeof GOLD_MARTS;

export const GOLD_MART_NAMES = Object.keys(GOLD_MARTS) as GoldMart[];

/** Where a gold mart's export lives. */
export const goldMartKey = (mart: GoldMart): string => `exports/mart/${mart}.parquet`;
