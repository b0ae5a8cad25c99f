import { addDays, bronzeObjectKey, enqueueRun, GOLD_MART_NAMES, S3, utcDay, uuidv7 } from "@growit/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshBucket, query, RecordingReporter, resetDatabase, testConfig } from "../test/fixtures.ts";
import { Etl } from "./etl.ts";
import { MAX_PARTITION_FILES } from "./merge.ts";

// Runs that add events to days already published change the gold marts by what the events add
// (publish-gold.ts); a rebuild computes every day's activity again from all of its events. Whatever the events and however
// they are split across runs, both must give the same marts: anonymous events that become a
// learner's when their session gets one (or stop being theirs when it gets a second), learners
// with a new day in a week, interests that change between runs, opens of lists and searches.

const today = utcDay(new Date());
const DAYS = [addDays(today, -3), addDays(today, -2), addDays(today, -1)];
const suffix = crypto.randomUUID().slice(0, 6);
const USERS = [`ann_${suffix}`, `ben_${suffix}`, `cy_${suffix}`];
const SESSIONS = Array.from({ length: 3 }, () => crypto.randomUUID());
const LISTS = Array.from({ length: 3 }, () => crypto.randomUUID());
const SEARCHES = Array.from({ length: 3 }, () => crypto.randomUUID());
/** Enough runs after the first for every day's partition to pass MAX_PARTITION_FILES and be compacted. */
const RUNS = MAX_PARTITION_FILES + 1;

interface GeneratedEvent {
  day: number;
  run: number;
  user: number | null;
  session: number | null;
  kind: "page_view" | "login" | "course_open" | "video_open" | "list_open" | "search_open";
  category: "data" | "ai";
  /** The list or search an open names (it may name one never shown). */
  target: number;
  position: number;
}

const eventArbitrary: fc.Arbitrary<GeneratedEvent> = fc.record({
  day: fc.integer({ min: 0, max: DAYS.length - 1 }),
  run: fc.integer({ min: 0, max: RUNS - 1 }),
  user: fc.option(fc.integer({ min: 0, max: USERS.length - 1 }), { freq: 2 }),
  session: fc.option(fc.integer({ min: 0, max: SESSIONS.length - 1 }), { freq: 4 }),
  kind: fc.constantFrom("page_view", "login", "course_open", "video_open", "list_open", "search_open"),
  category: fc.constantFrom("data", "ai"),
  target: fc.integer({ min: 0, max: LISTS.length - 1 }),
  position: fc.integer({ min: 1, max: 3 }),
});

/** Each list and search is shown once, on a day and in a run of its own. */
const shownArbitrary = fc.record({
  day: fc.integer({ min: 0, max: DAYS.length - 1 }),
  run: fc.integer({ min: 0, max: RUNS - 1 }),
  user: fc.option(fc.integer({ min: 0, max: USERS.length - 1 })),
  session: fc.option(fc.integer({ min: 0, max: SESSIONS.length - 1 })),
  results: fc.integer({ min: 0, max: 2 }),
});

let serial = 0;

const SERVER_TYPES = new Set(["login", "recommendation_request", "search_query"]);

function line(event: { day: number; user: number | null; session: number | null }, type: string, props: object) {
  const at = Date.parse(`${DAYS[event.day]}T10:00:00.000Z`) + (serial++ % 3600) * 1000;
  const ts = new Date(at).toISOString();
  return JSON.stringify({
    id: uuidv7(at),
    type,
    ts,
    username: event.user === null ? null : USERS[event.user],
    props: event.session === null ? props : { ...props, session_id: SESSIONS[event.session] },
    received_at: new Date().toISOString(),
    source: SERVER_TYPES.has(type) ? "server" : "web",
  });
}

function linesOf(event: GeneratedEvent): string {
  switch (event.kind) {
    case "page_view":
    case "login":
      return line(event, event.kind, event.kind === "page_view" ? { path: "/" } : {});
    case "course_open":
      return line(event, event.kind, { category: event.category, course_id: "c1" });
    case "video_open":
      return line(event, event.kind, { category: event.category, video_id: "v1" });
    case "list_open":
      return line(event, "course_open", {
        category: event.category,
        course_id: `c${event.position}`,
        rec_id: LISTS[event.target],
        position: event.position,
      });
    case "search_open":
      return line(event, "video_open", { category: event.category, video_id: "v1", search_id: SEARCHES[event.target] });
  }
}

/** Every gold mart and the learner-day rows, whole, in a stable order. */
async function marts(): Promise<Record<string, string>> {
  const tables = [
    ...GOLD_MART_NAMES.map((m) => `mart.${m}`),
    "mart.learner_daily",
    "mart.course_open_rates",
    // The state the runs after the first change the marts from, which a rebuild makes anew.
    "mart.learner_activity",
    "mart.session_learners",
    "mart.anonymous_session_events",
    "mart.learner_interests",
  ];
  return Object.fromEntries(
    await Promise.all(
      tables.map(
        async (table) =>
          [table, await query(`SELECT * FROM ${table} t ORDER BY t::text`).then(JSON.stringify)] as const,
      ),
    ),
  );
}

beforeAll(async () => {
  for (const [i, interests] of [["data", "ai"], ["ai"]].entries()) {
    await query("INSERT INTO app.users (username, password_hash, full_name, interests) VALUES ($1, 'x', $1, $2)", [
      USERS[i],
      interests,
    ]);
  }
});

afterAll(async () => {
  await query("DELETE FROM app.users WHERE username = ANY($1)", [USERS]);
});

describe("gold marts brought up to date run by run", () => {
  it("equal the marts a rebuild of every day gives, however the events are split across runs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArbitrary, { minLength: 1, maxLength: 30 }),
        fc.array(shownArbitrary, { minLength: LISTS.length, maxLength: LISTS.length }),
        fc.array(shownArbitrary, { minLength: SEARCHES.length, maxLength: SEARCHES.length }),
        fc.option(fc.integer({ min: 1, max: RUNS - 1 })),
        async (events, lists, searches, interestsChangeBeforeRun) => {
          await resetDatabase();
          await query("UPDATE app.users SET interests = $2 WHERE username = $1", [USERS[0], ["data", "ai"]]);
          await query("DELETE FROM app.users WHERE username = $1", [USERS[2]]);
          const config = testConfig(await freshBucket());
          const s3 = new S3(config.s3);
          // Every run touches every day: the generated runs add to days that hold state, and each
          // day's partition gets a file a run until it is compacted.
          const runs: string[][] = Array.from({ length: RUNS + 1 }, () =>
            DAYS.map((_, day) => line({ day, user: null, session: null }, "page_view", { path: "/" })),
          );
          for (const event of events) runs[event.run + 1]?.push(linesOf(event));
          for (const [i, shown] of lists.entries()) {
            runs[shown.run + 1]?.push(
              line(shown, "recommendation_request", {
                category: i % 2 ? "ai" : "data",
                rec_id: LISTS[i],
                course_ids: ["c1", "c2", "c3"],
              }),
            );
          }
          for (const [i, shown] of searches.entries()) {
            runs[shown.run + 1]?.push(
              line(shown, "search_query", { query: `q${i}`, results: shown.results, search_id: SEARCHES[i] }),
            );
          }
          const etl = await Etl.open(config, { reporter: new RecordingReporter() });
          try {
            for (const [run, lines] of runs.entries()) {
              if (interestsChangeBeforeRun !== null && run === interestsChangeBeforeRun + 1) {
                await query("UPDATE app.users SET interests = $2 WHERE username = $1", [USERS[0], ["cloud"]]);
                await query(
                  "INSERT INTO app.users (username, password_hash, full_name, interests) VALUES ($1, 'x', $1, $2)",
                  [USERS[2], ["data"]],
                );
              }
              if (lines.length === 0) continue;
              await s3.put(
                bronzeObjectKey(new Date(), crypto.randomUUID()),
                `${lines.join("\n")}\n`,
                "application/x-ndjson",
              );
              await enqueueRun({ query }, today, "incremental");
              expect((await etl.runPending()).filter((o) => o.status !== "done")).toEqual([]);
            }
            // Every generated event is valid: none may be lost to a reject and go untested.
            expect(await query("SELECT coalesce(sum(rejected), 0)::int AS n FROM etl.runs")).toEqual([{ n: 0 }]);
            // Each day was compacted on the way: it holds fewer files than the runs that added to it.
            const filesPerDay = await query<{ files: number }>(
              "SELECT count(*)::int AS files FROM etl.silver_files GROUP BY event_date",
            );
            expect(filesPerDay.map((d) => d.files < MAX_PARTITION_FILES)).toEqual(DAYS.map(() => true));
            const incremental = await marts();
            expect((await etl.runDays(DAYS)).filter((o) => o.status !== "done")).toEqual([]);
            expect(incremental).toEqual(await marts());
            // Cohorts and interests, kept up to date run by run, equal the ones computed whole.
            expect(
              await query(`SELECT cohort_week, week_offset, learners::int FROM mart.retention_weekly ORDER BY 1, 2`),
            ).toEqual(
              await query(`WITH weeks AS (SELECT DISTINCT user_id, date_trunc('week', event_date)::date AS week
                             FROM mart.learner_daily),
                cohorts AS (SELECT user_id, min(week) AS cohort_week FROM weeks GROUP BY user_id)
                SELECT cohort_week, (week - cohort_week) / 7 AS week_offset, count(*)::int AS learners
                FROM weeks JOIN cohorts USING (user_id) GROUP BY 1, 2 ORDER BY 1, 2`),
            );
            expect(
              await query(
                `SELECT event_date, interest, learners::int, events::int FROM mart.interest_daily ORDER BY 1, 2`,
              ),
            ).toEqual(
              await query(`SELECT l.event_date, interest, count(*)::int AS learners, sum(l.events)::int AS events
                FROM mart.learner_daily l JOIN app.users u ON u.username = l.user_id, unnest(u.interests) AS interest
                GROUP BY 1, 2 ORDER BY 1, 2`),
            );
          } finally {
            await etl.close();
          }
        },
      ),
      { numRuns: 5, seed: 20261205, endOnFailure: true },
    );
  }, 300_000);
});
