import { GOLD_MART_NAMES, type GoldMart, LIMITS } from "@growit/contract";
import type pg from "pg";
import type { GoldRows, GoldTable } from "./gold.ts";

/** What publishGold's statements need of the client. */
interface Db {
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The client, and the tables (`schema.name`) whose rows its INSERT, UPDATE and DELETE statements changed. */
function trackingChanges(client: pg.PoolClient): Db & { changed: Set<string> } {
  const changed = new Set<string>();
  return {
    changed,
    async query<R extends pg.QueryResultRow>(text: string, params?: unknown[]) {
      const result = await client.query<R>(text, params);
      const target = /^\s*(?:INSERT INTO|DELETE FROM|UPDATE)\s+(\w+\.\w+)/i.exec(text)?.[1];
      if (target && (result.rowCount ?? 0) > 0) changed.add(target);
      return result;
    },
  };
}

/** Where publishGold puts one of GoldRows' tables, with its columns' Postgres types. */
interface LoadedTable {
  rows: GoldTable;
  /** A mart, or a temp table of the transaction (`gold_…`) that the learner counts are made from. */
  table: string;
  /** Name and parameter type of each column, and how the stored value is made from the parameter when not as it is. */
  columns: ReadonlyArray<readonly [name: string, type: string, value?: string]>;
  /** How a row meets one already there: counts are added up, a list or search keeps its first day. */
  onConflict?: string;
}

const LOADED_TABLES: readonly LoadedTable[] = [
  {
    rows: "learnerEvents",
    table: "gold_learner_events",
    columns: [
      ["event_date", "date"],
      ["user_id", "text"],
      ["type", "text"],
      ["category", "text"],
      ["events", "bigint"],
    ],
  },
  {
    rows: "sessionLearners",
    table: "gold_session_learners",
    columns: [
      ["event_date", "date"],
      ["session_id", "text"],
      ["user_id", "text"],
    ],
  },
  {
    rows: "anonymousEvents",
    table: "gold_anonymous_events",
    columns: [
      ["event_date", "date"],
      ["session_id", "text"],
      ["type", "text"],
      ["category", "text"],
      ["events", "bigint"],
    ],
  },
  {
    rows: "recommendationLists",
    table: "mart.recommendation_lists",
    columns: [
      ["rec_id", "uuid"],
      ["event_date", "date"],
      ["category", "text"],
      // A list of lists cannot be an array parameter (Postgres arrays are not ragged): JSON text.
      ["course_ids", "jsonb", "ARRAY(SELECT jsonb_array_elements_text(course_ids))"],
    ],
    onConflict: "(rec_id) DO NOTHING",
  },
  {
    rows: "recommendationListOpens",
    table: "mart.recommendation_list_opens",
    columns: [
      ["event_date", "date"],
      ["rec_id", "uuid"],
      ["position", "integer"],
      ["opens", "bigint"],
    ],
    onConflict: "(event_date, rec_id, position) DO UPDATE SET opens = t.opens + excluded.opens",
  },
  {
    rows: "searches",
    table: "mart.searches",
    columns: [
      ["search_id", "uuid"],
      ["event_date", "date"],
      ["results", "integer"],
    ],
    onConflict: "(search_id) DO NOTHING",
  },
  {
    rows: "searchOpens",
    table: "mart.search_opens",
    columns: [
      ["event_date", "date"],
      ["search_id", "uuid"],
      ["opens", "bigint"],
    ],
    onConflict: "(event_date, search_id) DO UPDATE SET opens = t.opens + excluded.opens",
  },
  {
    rows: "zeroResultQueries",
    table: "mart.zero_result_queries",
    columns: [
      ["event_date", "date"],
      ["query", "text"],
      ["searches", "bigint"],
    ],
    onConflict: "(event_date, query) DO UPDATE SET searches = t.searches + excluded.searches",
  },
];

/** The tables whose rows of a day come from that day's events alone: a replaced day's are deleted first. */
const DAY_TABLES = [
  "mart.daily_type_events",
  "mart.daily_category_events",
  "mart.learner_daily",
  "mart.learner_activity",
  "mart.session_learners",
  "mart.anonymous_session_events",
  "mart.recommendation_lists",
  "mart.recommendation_list_opens",
  "mart.searches",
  "mart.search_opens",
  "mart.zero_result_queries",
];

async function load(client: Db, table: LoadedTable, rows: unknown[][]): Promise<void> {
  const names = table.columns.map(([name]) => name).join(", ");
  if (!table.table.includes(".")) {
    await client.query(
      `CREATE TEMP TABLE ${table.table} (${table.columns.map(([name, type]) => `${name} ${type}`).join(", ")}) ON COMMIT DROP`,
    );
  }
  if ((rows[0]?.length ?? 0) === 0) return;
  const params = table.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const values = table.columns.map(([name, , value]) => value ?? name).join(", ");
  await client.query(
    `INSERT INTO ${table.table} AS t (${names}) SELECT ${values} FROM unnest(${params}) AS v(${names})
     ${table.onConflict ? `ON CONFLICT ${table.onConflict}` : ""}`,
    rows,
  );
}

/** The days of opens that name a list (or search) of `days`: their counts depend on it. */
async function daysOfOpensNaming(
  client: Db,
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

/** The one signed-in learner of each session in gold_sessions, or NULL, as session_learners now holds them. */
const SESSION_OWNER = `(SELECT CASE WHEN count(*) = 1 THEN min(l.user_id) END FROM mart.session_learners l
  WHERE l.event_date = s.event_date AND l.session_id = s.session_id)`;

/**
 * Brings the learner counts up to date with the loaded rows, by what they change: the sessions
 * they name get their learner again, the anonymous events of a session whose learner changed move
 * to the new one, and each (day, learner)'s activity before and after (gold_before, gold_after)
 * gives the change of every mart that counts learners.
 */
async function applyActivity(client: Db): Promise<void> {
  await client.query(`CREATE TEMP TABLE gold_sessions ON COMMIT DROP AS
    SELECT event_date, session_id, ${SESSION_OWNER} AS learner_before, NULL::text AS learner_after
    FROM (SELECT event_date, session_id FROM gold_session_learners
          UNION SELECT event_date, session_id FROM gold_anonymous_events WHERE session_id IS NOT NULL) s`);
  await client.query("INSERT INTO mart.session_learners SELECT * FROM gold_session_learners ON CONFLICT DO NOTHING");
  await client.query(`UPDATE gold_sessions s SET learner_after = ${SESSION_OWNER}`);
  // The change to each learner's activity: their own new events, the new anonymous events of a
  // session that is theirs, and a session's earlier anonymous events when it changed hands.
  await client.query(`CREATE TEMP TABLE gold_activity_change ON COMMIT DROP AS
    SELECT event_date, user_id, type, category, sum(events)::bigint AS events FROM (
      SELECT event_date, user_id, type, category, events FROM gold_learner_events
      UNION ALL
      SELECT a.event_date, s.learner_after, a.type, a.category, a.events
      FROM gold_anonymous_events a JOIN gold_sessions s USING (event_date, session_id)
      WHERE s.learner_after IS NOT NULL
      UNION ALL
      SELECT a.event_date, moved.learner, a.type, a.category, moved.sign * a.events
      FROM mart.anonymous_session_events a JOIN gold_sessions s USING (event_date, session_id),
        LATERAL (VALUES (s.learner_before, -1), (s.learner_after, 1)) AS moved(learner, sign)
      WHERE s.learner_before IS DISTINCT FROM s.learner_after AND moved.learner IS NOT NULL
    ) changes GROUP BY 1, 2, 3, 4`);
  await client.query(`INSERT INTO mart.anonymous_session_events AS t (event_date, session_id, type, category, events)
    SELECT event_date, session_id, type, category, sum(events) FROM gold_anonymous_events
    WHERE session_id IS NOT NULL GROUP BY 1, 2, 3, 4
    ON CONFLICT (event_date, session_id, type, category) DO UPDATE SET events = t.events + excluded.events`);
  // The activity of the learners the change names, as it stands before it.
  await client.query(`CREATE TEMP TABLE gold_before ON COMMIT DROP AS
    SELECT a.event_date, a.user_id, a.type, a.category, a.events FROM mart.learner_activity a
      JOIN (SELECT DISTINCT event_date, user_id FROM gold_activity_change) d USING (event_date, user_id)`);
  await client.query(`INSERT INTO mart.learner_activity AS t (event_date, user_id, type, category, events)
    SELECT * FROM gold_activity_change
    ON CONFLICT (event_date, user_id, type, category) DO UPDATE SET events = t.events + excluded.events`);
  await client.query(`DELETE FROM mart.learner_activity a USING (SELECT DISTINCT event_date, user_id FROM gold_activity_change) d
    WHERE a.event_date = d.event_date AND a.user_id = d.user_id AND a.events <= 0`);
  // What the two statements above leave of those learners' rows, from the temp tables rather than
  // by looking each one up again: a row stays where its events are still above zero.
  await client.query(`CREATE TEMP TABLE gold_after ON COMMIT DROP AS
    SELECT event_date, user_id, type, category, sum(events)::bigint AS events FROM (
      SELECT * FROM gold_before UNION ALL SELECT * FROM gold_activity_change
    ) activity GROUP BY 1, 2, 3, 4 HAVING sum(events) > 0`);

  // Every event counts by type (and by category where it has one); a learner counts once per
  // (day, type) and per (day, category, type) they were active in.
  const allEvents = `SELECT event_date, type, category, events FROM gold_learner_events
    UNION ALL SELECT event_date, type, category, events FROM gold_anonymous_events`;
  await client.query(`INSERT INTO mart.daily_type_events AS t (event_date, type, events, learners)
    SELECT event_date, type, sum(events), sum(learners) FROM (
      SELECT event_date, type, events, 0 AS learners FROM (${allEvents}) e
      UNION ALL SELECT event_date, type, 0, count(DISTINCT user_id) FROM gold_after GROUP BY 1, 2
      UNION ALL SELECT event_date, type, 0, -count(DISTINCT user_id) FROM gold_before GROUP BY 1, 2
    ) changes GROUP BY 1, 2 HAVING sum(events) <> 0 OR sum(learners) <> 0
    ON CONFLICT (event_date, type) DO UPDATE SET events = t.events + excluded.events, learners = t.learners + excluded.learners`);
  await client.query(`INSERT INTO mart.daily_category_events AS t (event_date, category, type, events, learners)
    SELECT event_date, category, type, sum(events), sum(learners) FROM (
      SELECT event_date, category, type, events, 0 AS learners FROM (${allEvents}) e
      UNION ALL SELECT event_date, category, type, 0, count(*) FROM gold_after GROUP BY 1, 2, 3
      UNION ALL SELECT event_date, category, type, 0, -count(*) FROM gold_before GROUP BY 1, 2, 3
    ) changes WHERE category IS NOT NULL GROUP BY 1, 2, 3 HAVING sum(events) <> 0 OR sum(learners) <> 0
    ON CONFLICT (event_date, category, type) DO UPDATE
      SET events = t.events + excluded.events, learners = t.learners + excluded.learners`);
}

/**
 * Weekly cohorts and how many of each were active week_offset weeks later, of the learners
 * `learners` selects, from the learner-days `learnerDays` gives.
 */
const retentionOf = (learners: string, learnerDays = "mart.learner_daily") => `WITH weeks AS (
    SELECT DISTINCT user_id, date_trunc('week', event_date)::date AS week FROM ${learnerDays} d WHERE ${learners}
  ), cohorts AS (SELECT user_id, min(week) AS cohort_week FROM weeks GROUP BY user_id)
  SELECT cohort_week, (week - cohort_week) / 7 AS week_offset, count(*) AS learners
  FROM weeks JOIN cohorts USING (user_id) GROUP BY 1, 2`;

/**
 * The learner-days as they were before the publication: those of the learners the change names
 * (gold_before), and every one of the replaced days (gold_replaced_days, taken before they were
 * deleted).
 */
const DAYS_BEFORE = `(SELECT DISTINCT event_date, user_id FROM gold_before
  UNION SELECT event_date, user_id FROM gold_replaced_days)`;

/**
 * Learners whose weeks changed: a week they were active in and no longer are, or the reverse.
 * Only those can change the cohorts; every other learner's weeks, and so cohort, stay as they
 * were, however many of their days changed (a day's run adds a day to most learners' weeks).
 * A week changes when its touched days (before, after) differ in having any day, and the learner
 * has no untouched day in it; the untouched days are those of mart.learner_daily, before it is
 * updated, that the change does not name.
 */
const LEARNERS_WHOSE_WEEKS_CHANGED = `SELECT DISTINCT w.user_id FROM (
    SELECT user_id, date_trunc('week', event_date)::date AS week FROM (
      SELECT event_date, user_id, true AS before FROM ${DAYS_BEFORE} b
      UNION ALL SELECT event_date, user_id, false FROM gold_after
    ) touched GROUP BY 1, 2 HAVING bool_or(before) <> bool_or(NOT before)
  ) w
  WHERE NOT EXISTS (
    SELECT 1 FROM mart.learner_daily l
    WHERE l.user_id = w.user_id AND l.event_date >= w.week AND l.event_date < w.week + 7
      AND NOT EXISTS (SELECT 1 FROM gold_before g WHERE g.event_date = l.event_date AND g.user_id = l.user_id))`;

const COHORT_LEARNERS = "d.user_id IN (SELECT user_id FROM gold_cohort_learners)";

/**
 * Learners and their events by each of the interests interest_daily counts them under (the
 * learner's interests as mart.learner_interests last took them), from learner-day rows with a sign.
 */
const interestsOf = (
  rows: string,
) => `SELECT d.event_date, interest, sum(d.learners) AS learners, sum(d.events) AS events
  FROM (${rows}) d JOIN mart.learner_interests i USING (user_id), unnest(i.interests) AS interest
  GROUP BY 1, 2`;

/** Adds `rows` (event_date, interest, learners, events, as changes) to interest_daily. */
const ADD_TO_INTERESTS = (
  rows: string,
) => `INSERT INTO mart.interest_daily AS t (event_date, interest, learners, events)
  SELECT * FROM (${rows}) changes WHERE learners <> 0 OR events <> 0
  ON CONFLICT (event_date, interest) DO UPDATE SET learners = t.learners + excluded.learners, events = t.events + excluded.events`;

/**
 * Brings cohorts and interests up to date with the learner-days the publication changed, then
 * the interests with the learners whose interests changed in app.users since they were last
 * taken: their days move from their old interests to their new ones.
 */
async function applyLearnerDays(client: Db): Promise<void> {
  await client.query(`CREATE TEMP TABLE gold_cohort_learners ON COMMIT DROP AS ${LEARNERS_WHOSE_WEEKS_CHANGED}`);
  await client.query(`CREATE TEMP TABLE gold_retention ON COMMIT DROP AS SELECT cohort_week, week_offset, -learners AS learners
    FROM (${retentionOf(COHORT_LEARNERS, "(SELECT event_date, user_id FROM mart.learner_daily UNION ALL SELECT event_date, user_id FROM gold_replaced_days)")}) before`);
  // Updated in place where the learner-day stays (see migration 015), deleted where it is gone.
  await client.query(`INSERT INTO mart.learner_daily AS t (event_date, user_id, events)
    SELECT event_date, user_id, sum(events) FROM gold_after GROUP BY 1, 2
    ON CONFLICT (event_date, user_id) DO UPDATE SET events = excluded.events WHERE t.events <> excluded.events`);
  await client.query(`DELETE FROM mart.learner_daily l USING (SELECT DISTINCT event_date, user_id FROM gold_activity_change) d
    WHERE l.event_date = d.event_date AND l.user_id = d.user_id
      AND NOT EXISTS (SELECT 1 FROM gold_after a WHERE a.event_date = d.event_date AND a.user_id = d.user_id)`);
  await client.query(`INSERT INTO gold_retention ${retentionOf(COHORT_LEARNERS)}`);
  await client.query(`INSERT INTO mart.retention_weekly AS t (cohort_week, week_offset, learners)
    SELECT cohort_week, week_offset, sum(learners) FROM gold_retention GROUP BY 1, 2 HAVING sum(learners) <> 0
    ON CONFLICT (cohort_week, week_offset) DO UPDATE SET learners = t.learners + excluded.learners`);
  await client.query("DELETE FROM mart.retention_weekly WHERE learners = 0");

  await client.query(
    ADD_TO_INTERESTS(
      interestsOf(`SELECT event_date, user_id, 1 AS learners, sum(events) AS events FROM gold_after GROUP BY 1, 2
        UNION ALL SELECT event_date, user_id, -1, -sum(events) FROM gold_before GROUP BY 1, 2
        UNION ALL SELECT event_date, user_id, -1, -events FROM gold_replaced_days`),
    ),
  );
  await client.query(`CREATE TEMP TABLE gold_interests_changed ON COMMIT DROP AS
    SELECT coalesce(u.username, i.user_id) AS user_id, u.interests
    FROM app.users u FULL JOIN mart.learner_interests i ON i.user_id = u.username
    WHERE u.interests IS DISTINCT FROM i.interests AND (u.username IS NULL OR i.user_id IS NOT NULL OR u.interests <> '{}')`);
  const learnerDaysOfChanged = (sign: number) =>
    `SELECT l.event_date, l.user_id, ${sign} AS learners, ${sign} * l.events AS events
     FROM mart.learner_daily l JOIN gold_interests_changed c USING (user_id)`;
  await client.query(ADD_TO_INTERESTS(interestsOf(learnerDaysOfChanged(-1))));
  await client.query(
    "DELETE FROM mart.learner_interests WHERE user_id IN (SELECT user_id FROM gold_interests_changed)",
  );
  await client.query(`INSERT INTO mart.learner_interests (user_id, interests)
    SELECT user_id, interests FROM gold_interests_changed WHERE interests IS NOT NULL AND interests <> '{}'`);
  await client.query(ADD_TO_INTERESTS(interestsOf(learnerDaysOfChanged(1))));
  await client.query("DELETE FROM mart.interest_daily WHERE learners = 0");
}

/**
 * Writes the gold marts for the days a publication changed, inside its transaction: a replaced
 * day's rows are deleted and written again, an added day's are added to; the marts that count
 * learners change by what the publication changes of each learner's day, and those that join
 * across days (opens of a list or search shown on another day, cohorts, interests) are
 * recomputed where they can have changed. Returns the gold marts whose rows changed.
 */
export async function publishGold(connection: pg.PoolClient, gold: GoldRows): Promise<GoldMart[]> {
  const { replacedDays, addedDays } = gold;
  const days = [...replacedDays, ...addedDays];
  if (days.length === 0) return [];
  const client = trackingChanges(connection);
  // Opens that named a list or search of these days, as they were before (one may be gone now).
  const recommendationDays = new Set([...days, ...(await daysOfOpensNaming(client, "recommendation", days))]);
  const searchDays = new Set([...days, ...(await daysOfOpensNaming(client, "search", days))]);
  // The replaced days' learners as they were, for the cohorts and interests they leave.
  await client.query(
    `CREATE TEMP TABLE gold_replaced_days ON COMMIT DROP AS
     SELECT event_date, user_id, events FROM mart.learner_daily WHERE event_date = ANY($1::date[])`,
    [replacedDays],
  );
  if (replacedDays.length > 0) {
    for (const table of DAY_TABLES)
      await client.query(`DELETE FROM ${table} WHERE event_date = ANY($1::date[])`, [replacedDays]);
  }
  for (const table of LOADED_TABLES) await load(client, table, gold[table.rows]);
  await applyActivity(client);
  await applyLearnerDays(client);
  await client.query("INSERT INTO etl.gold_days SELECT unnest($1::date[]) ON CONFLICT DO NOTHING", [days]);

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

  // Recent lists only: what learners open now, not years ago. Only lists and opens change it.
  if (replacedDays.length > 0 || gold.recommendationLists[0]?.length || gold.recommendationListOpens[0]?.length) {
    await client.query("DELETE FROM mart.course_open_rates");
    await client.query(
      `INSERT INTO mart.course_open_rates (category, course_id, impressions, opens)
       WITH recent AS (SELECT rec_id FROM mart.recommendation_lists
                       WHERE event_date >= (SELECT max(event_date) FROM mart.recommendation_lists) - $1::int)
       SELECT l.category, shown.course_id, count(*), coalesce(sum(o.opens), 0)
       FROM mart.recommendation_lists l
         CROSS JOIN LATERAL unnest(l.course_ids) WITH ORDINALITY AS shown(course_id, position)
         LEFT JOIN (SELECT rec_id, position, sum(opens) AS opens FROM mart.recommendation_list_opens
                    WHERE rec_id IN (SELECT rec_id FROM recent) GROUP BY 1, 2) o
           ON o.rec_id = l.rec_id AND o.position = shown.position
       WHERE l.rec_id IN (SELECT rec_id FROM recent)
       GROUP BY 1, 2`,
      [LIMITS.maxEventAgeDays],
    );
  }
  return GOLD_MART_NAMES.filter((mart) => client.changed.has(`mart.${mart}`));
}
