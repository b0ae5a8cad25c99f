import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "@growit/contract";

/**
 * A day whose silver changed, with the silver files its gold rows are computed from: every current
 * file of the day when its gold is computed again whole (replace), or only the file a run added to
 * it when the day's marts are brought up to date with what that file adds (add).
 */
export interface GoldDay {
  day: string;
  mode: "replace" | "add";
  files: readonly string[];
}

/** The rows of one table, column by column, as publishGold passes them to unnest(). */
export type Columns = unknown[][];

/**
 * What the gold marts are made of, for the days given: the replaced days' rows whole, the added
 * days' rows from the added files alone (publishGold adds them to what the days hold). Column
 * orders are those of the tables in migrations 012 and 013.
 */
export interface GoldRows {
  replacedDays: string[];
  addedDays: string[];
  /** Signed-in learners' events: (event_date, user_id, type, category, events) */
  learnerEvents: Columns;
  /** Who signed in during each browser session: (event_date, session_id, user_id) */
  sessionLearners: Columns;
  /** Anonymous events, by session where they have one: (event_date, session_id, type, category, events) */
  anonymousEvents: Columns;
  /** mart.recommendation_lists (rec_id, event_date, category, course_ids as a JSON array) */
  recommendationLists: Columns;
  /** mart.recommendation_list_opens (event_date, rec_id, position, opens) */
  recommendationListOpens: Columns;
  /** mart.searches (search_id, event_date, results) */
  searches: Columns;
  /** mart.search_opens (event_date, search_id, opens) */
  searchOpens: Columns;
  /** mart.zero_result_queries (event_date, query, searches) */
  zeroResultQueries: Columns;
}

const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/** A props key as a UUID, or NULL when absent or not one (the contract checks client props; bronze from elsewhere is not). */
const uuidProp = (key: string) =>
  `CASE WHEN regexp_matches(lower(props ->> '${key}'), '${UUID_PATTERN}') THEN lower(props ->> '${key}') END`;
/** A props key as a positive integer, or NULL. */
const countProp = (key: string) => `TRY_CAST(props ->> '${key}' AS INTEGER)`;

/**
 * The queries, each over `gold_silver`: the days' silver rows with the props the marts read
 * lifted out (see goldRows). Their outputs are the GoldRows tables' columns in order. Nothing
 * here attributes anonymous events to learners: that depends on what the day already holds, and
 * publishGold does it.
 */
/** The tables of GoldRows. */
export type GoldTable = Exclude<keyof GoldRows, "replacedDays" | "addedDays">;

const QUERIES: Record<GoldTable, string> = {
  learnerEvents: `SELECT CAST(event_date AS VARCHAR), user_id, type, category, count(*)
    FROM gold_silver WHERE user_id IS NOT NULL GROUP BY ALL`,
  sessionLearners: `SELECT DISTINCT CAST(event_date AS VARCHAR), session_id, user_id
    FROM gold_silver WHERE user_id IS NOT NULL AND session_id IS NOT NULL`,
  anonymousEvents: `SELECT CAST(event_date AS VARCHAR), session_id, type, category, count(*)
    FROM gold_silver WHERE user_id IS NULL GROUP BY ALL`,
  // One row per list: a list recorded twice (a re-sent copy under another id) counts once.
  recommendationLists: `SELECT rec_id, CAST(min(event_date) AS VARCHAR), min(category), min(course_ids)
    FROM gold_silver WHERE type = 'recommendation_request' AND category IS NOT NULL AND rec_id IS NOT NULL
    GROUP BY rec_id`,
  recommendationListOpens: `SELECT CAST(event_date AS VARCHAR), rec_id, position, count(*)
    FROM gold_silver WHERE type = 'course_open' AND rec_id IS NOT NULL AND position >= 1 GROUP BY ALL`,
  searches: `SELECT search_id, CAST(min(event_date) AS VARCHAR), min(results)
    FROM gold_silver WHERE type = 'search_query' AND search_id IS NOT NULL AND results >= 0 GROUP BY search_id`,
  searchOpens: `SELECT CAST(event_date AS VARCHAR), search_id, count(*)
    FROM gold_silver WHERE type IN ('course_open', 'video_open') AND search_id IS NOT NULL GROUP BY ALL`,
  zeroResultQueries: `SELECT CAST(event_date AS VARCHAR), query, count(*)
    FROM gold_silver WHERE type = 'search_query' AND query IS NOT NULL AND search_id IS NOT NULL AND results = 0
    GROUP BY ALL`,
};

/**
 * The props the marts read, lifted out of the types that carry them only, so that the rest of
 * the events' props are never parsed (nor held).
 */
const LIFTED_PROPS = `
  CASE WHEN type IN ('recommendation_request', 'course_open') THEN ${uuidProp("rec_id")} END AS rec_id,
  CASE WHEN type = 'course_open' THEN ${countProp("position")} END AS position,
  CASE WHEN type IN ('search_query', 'course_open', 'video_open') THEN ${uuidProp("search_id")} END AS search_id,
  CASE WHEN type = 'search_query' THEN ${countProp("results")} END AS results,
  CASE WHEN type = 'recommendation_request'
    THEN CAST(to_json(coalesce(TRY_CAST(props -> 'course_ids' AS VARCHAR[]), [])) AS VARCHAR) END AS course_ids`;

/** Computes the gold rows of `days` from their silver files, in one read of them. */
export async function goldRows(connection: DuckDBConnection, days: readonly GoldDay[]): Promise<GoldRows> {
  const files = days.flatMap((d) => d.files);
  const rows: GoldRows = {
    replacedDays: days.filter((d) => d.mode === "replace").map((d) => d.day),
    addedDays: days.filter((d) => d.mode === "add").map((d) => d.day),
    learnerEvents: [],
    sessionLearners: [],
    anonymousEvents: [],
    recommendationLists: [],
    recommendationListOpens: [],
    searches: [],
    searchOpens: [],
    zeroResultQueries: [],
  };
  if (files.length === 0) return rows;
  const wanted = days.map((d) => `DATE ${sqlString(d.day)}`).join(", ");
  try {
    // Files written before session_id existed read it as NULL (union_by_name).
    await connection.run(`CREATE OR REPLACE TEMP TABLE gold_silver AS
      SELECT event_date, type, category, query, user_id, session_id, ${LIFTED_PROPS}
      FROM read_parquet([${files.map(sqlString).join(", ")}], union_by_name = true)
      WHERE event_date IN (${wanted})`);
    for (const [table, sql] of Object.entries(QUERIES) as [keyof typeof QUERIES, string][]) {
      const result = await connection.runAndReadAll(sql);
      rows[table] = result.getColumns().map((column) => column.map((v) => (typeof v === "bigint" ? String(v) : v)));
    }
    return rows;
  } finally {
    await connection.run("DROP TABLE IF EXISTS gold_silver");
  }
}
