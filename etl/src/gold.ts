import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "@growit/contract";

/** A day whose silver changed, with every current silver file of it (local copies). */
export interface GoldDay {
  day: string;
  files: readonly string[];
}

/** The rows of one table, column by column, as publish() passes them to unnest(). */
export type Columns = unknown[][];

/**
 * What the gold marts are made of, for the days given: each table's rows for exactly those days
 * (publish replaces the days' rows). Column orders are those of the tables in migration 012.
 */
export interface GoldRows {
  days: string[];
  /** mart.daily_type_events (event_date, type, events, learners) */
  typeEvents: Columns;
  /** mart.daily_category_events (event_date, category, type, events, learners) */
  categoryEvents: Columns;
  /** mart.learner_daily (event_date, user_id, events) */
  learnerDaily: Columns;
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
 * The queries, each over `gold_events`: the days' silver rows with `learner` attributed and the
 * props the marts read lifted out (see goldRows). Their outputs are the GoldRows tables' columns
 * in order.
 */
const QUERIES: Record<Exclude<keyof GoldRows, "days">, string> = {
  typeEvents: `SELECT CAST(event_date AS VARCHAR), type, count(*), count(DISTINCT learner) FROM gold_events GROUP BY ALL`,
  categoryEvents: `SELECT CAST(event_date AS VARCHAR), category, type, count(*), count(DISTINCT learner)
    FROM gold_events WHERE category IS NOT NULL GROUP BY ALL`,
  learnerDaily: `SELECT CAST(event_date AS VARCHAR), learner, count(*)
    FROM gold_events WHERE learner IS NOT NULL GROUP BY ALL`,
  // One row per list: a list recorded twice (a re-sent copy under another id) counts once.
  recommendationLists: `SELECT rec_id, CAST(min(event_date) AS VARCHAR), min(category), min(course_ids)
    FROM gold_events WHERE type = 'recommendation_request' AND category IS NOT NULL AND rec_id IS NOT NULL
    GROUP BY rec_id`,
  recommendationListOpens: `SELECT CAST(event_date AS VARCHAR), rec_id, position, count(*)
    FROM gold_events WHERE type = 'course_open' AND rec_id IS NOT NULL AND position >= 1 GROUP BY ALL`,
  searches: `SELECT search_id, CAST(min(event_date) AS VARCHAR), min(results)
    FROM gold_events WHERE type = 'search_query' AND search_id IS NOT NULL AND results >= 0 GROUP BY search_id`,
  searchOpens: `SELECT CAST(event_date AS VARCHAR), search_id, count(*)
    FROM gold_events WHERE type IN ('course_open', 'video_open') AND search_id IS NOT NULL GROUP BY ALL`,
  zeroResultQueries: `SELECT CAST(event_date AS VARCHAR), query, count(*)
    FROM gold_events WHERE type = 'search_query' AND query IS NOT NULL AND search_id IS NOT NULL AND results = 0
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

/**
 * Computes the gold marts' rows of `days` from their silver files, in one read of them. An
 * anonymous event is attributed to a learner when its browser session (session_id) that day
 * had exactly one signed-in learner: what a learner did before logging in counts as theirs.
 */
export async function goldRows(connection: DuckDBConnection, days: readonly GoldDay[]): Promise<GoldRows> {
  const files = days.flatMap((d) => d.files);
  const rows: GoldRows = {
    days: days.map((d) => d.day),
    typeEvents: [],
    categoryEvents: [],
    learnerDaily: [],
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
    await connection.run(`CREATE OR REPLACE TEMP VIEW gold_events AS
      SELECT s.*, coalesce(s.user_id, signed_in.learner) AS learner
      FROM gold_silver s LEFT JOIN (
        SELECT event_date, session_id, min(user_id) AS learner FROM gold_silver
        WHERE session_id IS NOT NULL AND user_id IS NOT NULL
        GROUP BY ALL HAVING count(DISTINCT user_id) = 1
      ) signed_in USING (event_date, session_id)`);
    for (const [table, sql] of Object.entries(QUERIES) as [keyof typeof QUERIES, string][]) {
      const result = await connection.runAndReadAll(sql);
      rows[table] = result.getColumns().map((column) => column.map((v) => (typeof v === "bigint" ? String(v) : v)));
    }
    return rows;
  } finally {
    await connection.run("DROP VIEW IF EXISTS gold_events");
    await connection.run("DROP TABLE IF EXISTS gold_silver");
  }
}
