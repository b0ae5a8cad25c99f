import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { addDays } from "@growit/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeLearners, type DayRange } from "./queries.ts";

/** The panel's meaning, said the plain way: distinct learners on the day, and over the 7 days ending it. */
const plainActiveLearners = (range: DayRange) => `
SELECT strftime(d.day, '%Y-%m-%d') AS day,
       count(DISTINCT m.user_id) FILTER (WHERE m.event_date = d.day)::BIGINT AS daily,
       count(DISTINCT m.user_id)::BIGINT AS weekly
FROM (SELECT CAST(day AS DATE) AS day
      FROM generate_series(DATE '${range.from}', DATE '${range.to}', INTERVAL 1 DAY) AS t(day)) d
LEFT JOIN daily_events m ON m.event_date > d.day - 7 AND m.event_date <= d.day
GROUP BY d.day ORDER BY d.day`;

const FIRST_DAY = "2026-11-01";

let connection: DuckDBConnection;

beforeAll(async () => {
  connection = await (await DuckDBInstance.create(":memory:")).connect();
});

afterAll(() => connection.closeSync());

async function rows(sql: string): Promise<string[]> {
  return (await connection.runAndReadAll(sql)).getRows().map((row) => row.map(String).join(","));
}

describe("activeLearners", () => {
  it("counts what the plain distinct count over each 7-day window counts, for any mart and range", async () => {
    await fc.assert(
      fc.asyncProperty(
        // (learner, day) pairs over 200 days, and a range that may start and end anywhere in them,
        // over several of the query's blocks of days.
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 199 })), {
          maxLength: 160,
          selector: ([user, day]) => `${user}/${day}`,
        }),
        fc.integer({ min: 0, max: 199 }),
        fc.integer({ min: 0, max: 180 }),
        async (active, start, length) => {
          await connection.run("CREATE OR REPLACE TABLE daily_events (event_date DATE, user_id VARCHAR, cnt BIGINT)");
          for (const [user, day] of active) {
            await connection.run(`INSERT INTO daily_events VALUES (DATE '${addDays(FIRST_DAY, day)}', 'u${user}', 1)`);
          }
          const range = { from: addDays(FIRST_DAY, start), to: addDays(FIRST_DAY, start + length) };
          expect(await rows(activeLearners(range))).toEqual(await rows(plainActiveLearners(range)));
        },
      ),
      { seed: 20261205, numRuns: 150 },
    );
  });
});
