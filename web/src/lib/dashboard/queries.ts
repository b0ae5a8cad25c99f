// The dashboard's views as DuckDB SQL over the views of the exports: `daily_events` (the mart),
// one per gold mart under its own name, and `events` (silver, read by the day drill-down only).
// Days are formatted in SQL, so results carry `YYYY-MM-DD` text; sums of BIGINT are HUGEINT in
// DuckDB and are cast back to BIGINT.
import { sqlDate, sqlString } from "@growit/contract";

export interface DayRange {
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

const inRange = (column: string, range: DayRange) =>
  `${column} >= ${sqlDate(range.from)} AND ${column} <= ${sqlDate(range.to)}`;

/**
 * The seed's query 1 (events per day over the last 7 days), the 7 days counted back from the
 * range's last day instead of CURRENT_DATE: with the default range, the seed's own window.
 */
export const eventsPerDay = (range: DayRange): string => `
SELECT strftime(event_date, '%Y-%m-%d') AS event_date, SUM(cnt)::BIGINT AS total_events FROM daily_events
WHERE event_date >= ${sqlDate(range.to)} - INTERVAL '7 days' AND event_date <= ${sqlDate(range.to)}
GROUP BY event_date ORDER BY event_date`;

/** The seed's query 2 (top 5 users over 30 days) over the range; ties broken by user for a stable order. */
export const topUsers = (range: DayRange): string => `
SELECT user_id, SUM(cnt)::BIGINT AS events FROM daily_events
WHERE ${inRange("event_date", range)}
GROUP BY user_id ORDER BY events DESC, user_id LIMIT 5`;

/**
 * The seed's query 3: one day's users with their counts (mart) and the categories of their
 * events (silver). It reads that day's silver partition files (`partitionFiles`, none until the
 * ETL exported some) rather than the `events` view, which would open every partition over HTTP.
 */
export const dayUsers = (day: string, partitionFiles: string[]): string => `
SELECT m.user_id, m.cnt::BIGINT AS events,
       coalesce(string_agg(DISTINCT e.category, ', ' ORDER BY e.category), '') AS categories
FROM daily_events m
LEFT JOIN (${
  partitionFiles.length > 0
    ? `SELECT user_id, category FROM read_parquet([${partitionFiles.map(sqlString).join(", ")}])`
    : "SELECT NULL::VARCHAR AS user_id, NULL::VARCHAR AS category WHERE false"
}) e ON e.user_id = m.user_id AND e.category IS NOT NULL
WHERE m.event_date = ${sqlDate(day)}
GROUP BY m.user_id, m.cnt ORDER BY events DESC, m.user_id`;

/** Every event (anonymous ones included) per day and type (gold). */
export const eventsByType = (range: DayRange): string => `
SELECT strftime(event_date, '%Y-%m-%d') AS day, type, events::BIGINT AS events FROM daily_type_events
WHERE ${inRange("event_date", range)} ORDER BY day, type`;

/** Events with a category per day and category, all types together (gold). */
export const eventsByCategory = (range: DayRange): string => `
SELECT strftime(event_date, '%Y-%m-%d') AS day, category, SUM(events)::BIGINT AS events FROM daily_category_events
WHERE ${inRange("event_date", range)} GROUP BY ALL ORDER BY day, category`;

/** Recommendation lists shown and opens from them per category, and their ratio (click-through rate). */
export const recommendationsByCategory = (range: DayRange): string => `
SELECT category, SUM(requests)::BIGINT AS requests, SUM(opens)::BIGINT AS opens,
       round(SUM(opens) / nullif(SUM(requests), 0), 4)::DOUBLE AS ctr
FROM recommendation_daily WHERE ${inRange("event_date", range)}
GROUP BY category ORDER BY requests DESC, category`;

/** Opens from recommendation lists by position, and their share of every list shown in the range. */
export const recommendationsByPosition = (range: DayRange): string => `
SELECT position, SUM(opens)::BIGINT AS opens,
       round(SUM(opens) / nullif((SELECT SUM(requests) FROM recommendation_daily WHERE ${inRange("event_date", range)}), 0), 4)::DOUBLE AS ctr
FROM recommendation_positions WHERE ${inRange("event_date", range)}
GROUP BY position ORDER BY position`;

/** Searches per day, those that found nothing, opens of results, and the share that found something. */
export const searchSuccess = (range: DayRange): string => `
SELECT strftime(event_date, '%Y-%m-%d') AS day, searches::BIGINT AS searches, zero_result::BIGINT AS zero_result,
       opens::BIGINT AS opens, round(1 - zero_result / nullif(searches, 0), 4)::DOUBLE AS found
FROM search_daily WHERE ${inRange("event_date", range)} ORDER BY day`;

/** The queries that most often found nothing. */
export const zeroResultQueries = (range: DayRange): string => `
SELECT query, SUM(searches)::BIGINT AS searches FROM zero_result_queries
WHERE ${inRange("event_date", range)} GROUP BY query ORDER BY searches DESC, query LIMIT 10`;

/** Days of the range per block of activeLearners' masks: with the 6 days before them, the 64 bits of a UBIGINT. */
const MASK_BLOCK_DAYS = 58;

/**
 * Distinct signed-in learners per day of the range, and over the 7 days ending that day (the
 * mart; a day with nobody shows 0). A distinct count over a 7-day range join is slow in the
 * browser, so each learner's active days become bit masks instead, one per block of the range's
 * days (bit b of block k: the day MASK_BLOCK_DAYS * k + b - 6 of the range), and a day counts the
 * masks with its own bit set, and with any of its 7 days' bits set.
 */
export const activeLearners = (range: DayRange): string => `
WITH active AS (
  SELECT user_id, (event_date - ${sqlDate(range.from)}) + 6 AS j FROM daily_events
  WHERE event_date > ${sqlDate(range.from)} - INTERVAL 7 DAY AND event_date <= ${sqlDate(range.to)}
), bits AS (
  SELECT user_id, j // ${MASK_BLOCK_DAYS} AS block, j % ${MASK_BLOCK_DAYS} AS bit FROM active
  UNION ALL
  SELECT user_id, j // ${MASK_BLOCK_DAYS} - 1, j % ${MASK_BLOCK_DAYS} + ${MASK_BLOCK_DAYS} FROM active
  WHERE j >= ${MASK_BLOCK_DAYS} AND j % ${MASK_BLOCK_DAYS} < 6
), masks AS (
  SELECT user_id, block, bit_or(CAST(1 AS UBIGINT) << CAST(bit AS UBIGINT)) AS mask FROM bits GROUP BY ALL
), days AS (
  SELECT ${sqlDate(range.from)} + CAST(i AS INTEGER) AS day, i // ${MASK_BLOCK_DAYS} AS block, i % ${MASK_BLOCK_DAYS} AS bit
  FROM range(0, ${sqlDate(range.to)} - ${sqlDate(range.from)} + 1) AS t(i)
)
SELECT strftime(d.day, '%Y-%m-%d') AS day,
       count(*) FILTER (WHERE (m.mask >> CAST(d.bit + 6 AS UBIGINT)) & CAST(1 AS UBIGINT) = 1)::BIGINT AS daily,
       count(*) FILTER (WHERE (m.mask >> CAST(d.bit AS UBIGINT)) & CAST(127 AS UBIGINT) <> 0)::BIGINT AS weekly
FROM days d LEFT JOIN masks m USING (block)
GROUP BY d.day ORDER BY d.day`;

/** Weekly cohorts starting in the range: learners active each week after their first, and their share of the cohort. */
export const retention = (range: DayRange): string => `
SELECT strftime(cohort_week, '%Y-%m-%d') AS cohort, week_offset, learners::BIGINT AS learners,
       round(learners / first_value(learners) OVER (PARTITION BY cohort_week ORDER BY week_offset), 4)::DOUBLE AS share
FROM retention_weekly WHERE ${inRange("cohort_week", range)} ORDER BY cohort, week_offset`;

/** Events of learners by each of their interests, and how many of them were active on an average day of the range. */
export const activityByInterest = (range: DayRange): string => `
SELECT interest, SUM(events)::BIGINT AS events,
       round(SUM(learners) / (${sqlDate(range.to)} - ${sqlDate(range.from)} + 1), 2)::DOUBLE AS daily_learners
FROM interest_daily WHERE ${inRange("event_date", range)}
GROUP BY interest ORDER BY events DESC, interest`;

/** For the data-health panel: what silver and the mart hold per day from `since` on (see health.ts). */
export const exportCounts = (since: string): string => `
WITH silver AS (
  SELECT event_date, count(*)::BIGINT AS silver_rows, count(user_id)::BIGINT AS silver_user_rows
  FROM events WHERE event_date >= ${sqlDate(since)} GROUP BY event_date
), mart AS (
  SELECT event_date, count(*)::BIGINT AS mart_rows, SUM(cnt)::BIGINT AS mart_total
  FROM daily_events WHERE event_date >= ${sqlDate(since)} GROUP BY event_date
)
SELECT strftime(event_date, '%Y-%m-%d') AS day,
       coalesce(silver_rows, 0) AS silver_rows, coalesce(silver_user_rows, 0) AS silver_user_rows,
       coalesce(mart_rows, 0) AS mart_rows, coalesce(mart_total, 0) AS mart_total
FROM silver FULL JOIN mart USING (event_date)`;
