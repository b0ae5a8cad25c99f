import { LIMITS } from "@growit/contract";
import type pg from "pg";
import type { Columns, GoldRows } from "./gold.ts";

/** A table the gold step replaces day by day from GoldRows, with its columns' Postgres types. */
interface DailyTable {
  table: string;
  rows: keyof Omit<GoldRows, "days">;
  /** Name and parameter type of each column, and how the stored value is made from the parameter when not as it is. */
  columns: ReadonlyArray<readonly [name: string, type: string, value?: string]>;
  /** The key a row from another day may already hold (ids unique across days). */
  conflict?: string;
}

const DAILY_TABLES: readonly DailyTable[] = [
  {
    table: "mart.daily_type_events",
    rows: "typeEvents",
    columns: [
      ["event_date", "date"],
      ["type", "text"],
      ["events", "bigint"],
      ["learners", "bigint"],
    ],
  },
  {
    table: "mart.daily_category_events",
    rows: "categoryEvents",
    columns: [
      ["event_date", "date"],
      ["category", "text"],
      ["type", "text"],
      ["events", "bigint"],
      ["learners", "bigint"],
    ],
  },
  {
    table: "mart.learner_daily",
    rows: "learnerDaily",
    columns: [
      ["event_date", "date"],
      ["user_id", "text"],
      ["events", "bigint"],
    ],
  },
  {
    table: "mart.recommendation_lists",
    rows: "recommendationLists",
    columns: [
      ["rec_id", "uuid"],
      ["event_date", "date"],
      ["category", "text"],
      // A list of lists cannot be an array parameter (Postgres arrays are not ragged): JSON text.
      ["course_ids", "jsonb", "ARRAY(SELECT jsonb_array_elements_text(course_ids))"],
    ],
    conflict: "rec_id",
  },
  {
    table: "mart.recommendation_list_opens",
    rows: "recommendationListOpens",
    columns: [
      ["event_date", "date"],
      ["rec_id", "uuid"],
      ["position", "integer"],
      ["opens", "bigint"],
    ],
  },
  {
    table: "mart.searches",
    rows: "searches",
    columns: [
      ["search_id", "uuid"],
      ["event_date", "date"],
      ["results", "integer"],
    ],
    conflict: "search_id",
  },
  {
    table: "mart.search_opens",
    rows: "searchOpens",
    columns: [
      ["event_date", "date"],
      ["search_id", "uuid"],
      ["opens", "bigint"],
    ],
  },
  {
    table: "mart.zero_result_queries",
    rows: "zeroResultQueries",
    columns: [
      ["event_date", "date"],
      ["query", "text"],
      ["searches", "bigint"],
    ],
  },
];

/** The days of opens that name a list (or search) of `days`: their counts depend on it. */
async function daysOfOpensNaming(
  client: pg.PoolClient,
  kind: "recommendation" | "search",
  days: readonly string[],
): Promise<string[]> {
  const [opens, named, id] =
    kind === "recommendation"
      ? ["mart.recommendation_list_opens", "mart.recommendation_lists", "rec_id"]
      : ["mart.search_opens", "mart.searches", "search_id"];
  const result = await client.query<{ day: string }>(
    `SELECT DISTINCT to_char(o.event_date, 'YYYY-MM-DD') AS day FROM ${opens} o JOIN ${named} n USING (${id})
     WHERE n.event_date = ANY($1::date[])`,
    [days],
  );
  return result.rows.map((r) => r.day);
}

async function replaceDays(client: pg.PoolClient, table: DailyTable, days: readonly string[], rows: Columns) {
  await client.query(`DELETE FROM ${table.table} WHERE event_date = ANY($1::date[])`, [days]);
  if ((rows[0]?.length ?? 0) === 0) return;
  const names = table.columns.map(([name]) => name).join(", ");
  const params = table.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const values = table.columns.map(([name, , value]) => value ?? name).join(", ");
  await client.query(
    `INSERT INTO ${table.table} (${names}) SELECT ${values} FROM unnest(${params}) AS v(${names})
     ${table.conflict ? `ON CONFLICT (${table.conflict}) DO NOTHING` : ""}`,
    rows,
  );
}

/**
 * Writes the gold marts for the days a publication changed, inside its transaction: each day's
 * rows of the daily tables are replaced, then the marts that join across days (opens of a list
 * or search shown on another day, cohorts, interests) are recomputed where they can have changed.
 */
export async function publishGold(client: pg.PoolClient, gold: GoldRows): Promise<void> {
  const { days } = gold;
  if (days.length === 0) return;
  // Opens that named a list or search of these days, as they were before (one may be gone now).
  const recommendationDays = new Set([...days, ...(await daysOfOpensNaming(client, "recommendation", days))]);
  const searchDays = new Set([...days, ...(await daysOfOpensNaming(client, "search", days))]);
  for (const table of DAILY_TABLES) await replaceDays(client, table, days, gold[table.rows]);
  for (const day of await daysOfOpensNaming(client, "recommendation", days)) recommendationDays.add(day);
  for (const day of await daysOfOpensNaming(client, "search", days)) searchDays.add(day);

  const recommendationDates = [...recommendationDays];
  await client.query("DELETE FROM mart.recommendation_daily WHERE event_date = ANY($1::date[])", [recommendationDates]);
  await client.query(
    `INSERT INTO mart.recommendation_daily (event_date, category, requests, opens)
     SELECT event_date, category, sum(requests), sum(opens) FROM (
       SELECT event_date, category, count(*) AS requests, 0 AS opens FROM mart.recommendation_lists
       WHERE event_date = ANY($1::date[]) GROUP BY 1, 2
       UNION ALL
       SELECT o.event_date, l.category, 0, sum(o.opens) FROM mart.recommendation_list_opens o
         JOIN mart.recommendation_lists l USING (rec_id)
       WHERE o.event_date = ANY($1::date[]) GROUP BY 1, 2
     ) counted GROUP BY 1, 2`,
    [recommendationDates],
  );
  await client.query("DELETE FROM mart.recommendation_positions WHERE event_date = ANY($1::date[])", [
    recommendationDates,
  ]);
  await client.query(
    `INSERT INTO mart.recommendation_positions (event_date, category, position, opens)
     SELECT o.event_date, l.category, o.position, sum(o.opens) FROM mart.recommendation_list_opens o
       JOIN mart.recommendation_lists l USING (rec_id)
     WHERE o.event_date = ANY($1::date[]) GROUP BY 1, 2, 3`,
    [recommendationDates],
  );

  const searchDates = [...searchDays];
  await client.query("DELETE FROM mart.search_daily WHERE event_date = ANY($1::date[])", [searchDates]);
  await client.query(
    `INSERT INTO mart.search_daily (event_date, searches, zero_result, opens)
     SELECT event_date, sum(searches), sum(zero_result), sum(opens) FROM (
       SELECT event_date, count(*) AS searches, count(*) FILTER (WHERE results = 0) AS zero_result, 0 AS opens
       FROM mart.searches WHERE event_date = ANY($1::date[]) GROUP BY 1
       UNION ALL
       SELECT o.event_date, 0, 0, sum(o.opens) FROM mart.search_opens o JOIN mart.searches s USING (search_id)
       WHERE o.event_date = ANY($1::date[]) GROUP BY 1
     ) counted GROUP BY 1`,
    [searchDates],
  );

  // A learner's first week can move (a late event), and interests are the current ones: both
  // are recomputed whole, from one row per learner and day.
  await client.query("DELETE FROM mart.retention_weekly");
  await client.query(
    `INSERT INTO mart.retention_weekly (cohort_week, week_offset, learners)
     WITH weeks AS (SELECT DISTINCT user_id, date_trunc('week', event_date)::date AS week FROM mart.learner_daily),
          cohorts AS (SELECT user_id, min(week) AS cohort_week FROM weeks GROUP BY user_id)
     SELECT cohort_week, (week - cohort_week) / 7, count(*) FROM weeks JOIN cohorts USING (user_id) GROUP BY 1, 2`,
  );
  // Recent lists only: what learners open now, not years ago.
  await client.query("DELETE FROM mart.course_open_rates");
  await client.query(
    `INSERT INTO mart.course_open_rates (category, course_id, impressions, opens)
     SELECT l.category, shown.course_id, count(*), coalesce(sum(o.opens), 0)
     FROM mart.recommendation_lists l
       CROSS JOIN LATERAL unnest(l.course_ids) WITH ORDINALITY AS shown(course_id, position)
       LEFT JOIN (SELECT rec_id, position, sum(opens) AS opens FROM mart.recommendation_list_opens GROUP BY 1, 2) o
         ON o.rec_id = l.rec_id AND o.position = shown.position
     WHERE l.event_date >= (SELECT max(event_date) FROM mart.recommendation_lists) - $1::int
     GROUP BY 1, 2`,
    [LIMITS.maxEventAgeDays],
  );
  await client.query("DELETE FROM mart.interest_daily");
  await client.query(
    `INSERT INTO mart.interest_daily (event_date, interest, learners, events)
     SELECT l.event_date, interest, count(*), sum(l.events)
     FROM mart.learner_daily l JOIN app.users u ON u.username = l.user_id, unnest(u.interests) AS interest
     GROUP BY 1, 2`,
  );
}
