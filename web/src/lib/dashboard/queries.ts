// The dashboard's views as DuckDB SQL over the `daily_events` (mart) and `events` (silver) views.
// Days are formatted in SQL, so results carry `YYYY-MM-DD` text; sums of BIGINT are HUGEINT in
// DuckDB and are cast back to BIGINT.
import { sqlDate, sqlString } from "./sql.ts";

export interface DayRange {
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

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
WHERE event_date >= ${sqlDate(range.from)} AND event_date <= ${sqlDate(range.to)}
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

/** Silver events (anonymous ones included) per day and `column` over the range. */
const eventsPerDayBy = (column: "type" | "category", range: DayRange): string => `
SELECT strftime(event_date, '%Y-%m-%d') AS day, ${column}, count(*)::BIGINT AS events FROM events
WHERE event_date >= ${sqlDate(range.from)} AND event_date <= ${sqlDate(range.to)} AND ${column} IS NOT NULL
GROUP BY ALL ORDER BY day, ${column}`;

export const eventsByType = (range: DayRange): string => eventsPerDayBy("type", range);
export const eventsByCategory = (range: DayRange): string => eventsPerDayBy("category", range);

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
