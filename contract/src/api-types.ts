/**
 * The shapes the worker's API answers with, shared by the worker (which produces them and
 * describes them in its OpenAPI document), the SPA and the dashboard (which read them) and the
 * ETL (which writes the manifest). Each is a zod schema and the type it infers, of one name.
 */
import { z } from "zod";

const timestamp = z.iso.datetime({ offset: true });
const day = z.iso.date();

export const Level = z.enum(["beginner", "intermediate", "advanced"]);
export type Level = z.infer<typeof Level>;

export const Role = z.enum(["learner", "analyst"]);
export type Role = z.infer<typeof Role>;

export const Category = z
  .object({ id: z.string(), name: z.string(), description: z.string(), icon: z.string(), accent: z.string() })
  .meta({ id: "Category" });
export type Category = z.infer<typeof Category>;

/** A category as other answers name it. */
export const CategoryRef = z.object({ id: z.string(), name: z.string() }).meta({ id: "CategoryRef" });
export type CategoryRef = z.infer<typeof CategoryRef>;

export const Course = z
  .object({
    id: z.string(),
    category_id: z.string(),
    title: z.string(),
    provider: z.string(),
    duration: z.string(),
    level: Level,
    url: z.string(),
  })
  .meta({ id: "Course" });
export type Course = z.infer<typeof Course>;

export const Video = z
  .object({ id: z.string(), category_id: z.string(), title: z.string(), channel: z.string(), url: z.string() })
  .meta({ id: "Video" });
export type Video = z.infer<typeof Video>;

/** `GET /api/categories`. */
export const Categories = z.object({ categories: z.array(Category) });
export type Categories = z.infer<typeof Categories>;

/** `GET /api/videos`: a category's popular videos. */
export const Videos = z.object({ category: CategoryRef, videos: z.array(Video) });
export type Videos = z.infer<typeof Videos>;

/** An account as the API shows it: never the password hash. */
export const Account = z
  .object({
    username: z.string(),
    full_name: z.string(),
    interests: z.array(z.string()),
    role: Role,
    created_at: timestamp,
  })
  .meta({ id: "Account" });
export type Account = z.infer<typeof Account>;

export const SearchHit = z
  .object({
    kind: z.enum(["course", "video"]),
    id: z.string(),
    title: z.string(),
    source: z.string().describe("The course's provider or the video's channel."),
    category_id: z.string(),
    category_name: z.string(),
    level: Level.nullable(),
    duration: z.string().nullable(),
    url: z.string(),
  })
  .meta({ id: "SearchHit" });
export type SearchHit = z.infer<typeof SearchHit>;

/** `GET /api/search`: one page of hits. */
export const SearchPage = z.object({
  query: z.string(),
  search_id: z.string().describe("Names this search in its `search_query` event; opens of its results carry it."),
  page: z.int(),
  limit: z.int(),
  total: z.int(),
  results: z.array(SearchHit),
});
export type SearchPage = z.infer<typeof SearchPage>;

/** One file of `exports/manifest.json`. */
export const ManifestFile = z.object({
  key: z.string(),
  bytes: z.int(),
  rows: z.int(),
  sha256: z.string(),
  generated_at: timestamp,
});
export type ManifestFile = z.infer<typeof ManifestFile>;

/** `exports/manifest.json`: every file the ETL exports (the mart and each silver partition). */
export const Manifest = z.object({ generated_at: timestamp, files: z.array(ManifestFile) });
export type Manifest = z.infer<typeof Manifest>;

export const RunStatus = z.enum(["queued", "running", "done", "failed"]);
export type RunStatus = z.infer<typeof RunStatus>;

/**
 * Where an event date stands: failing while its last finished run failed (a retry that is queued
 * or running does not clear that; a later done run does), otherwise its latest run's status.
 */
export const DayState = z.enum(["failing", "running", "queued", "done"]);
export type DayState = z.infer<typeof DayState>;

/** One day's latest run in etl.runs, as `GET /api/status` lists it. */
export const RunDay = z.object({
  event_date: day,
  latest_status: RunStatus,
  state: DayState,
  attempts: z.int(),
  last_done_at: timestamp.nullable(),
  bronze_lines: z.number().nullable(),
  rejected: z.number().nullable(),
  duplicates: z.number().nullable(),
  silver_rows: z.number().nullable(),
  mart_rows: z.number().nullable(),
  seconds: z.number().nullable(),
});
export type RunDay = z.infer<typeof RunDay>;

/** `DELETE /api/me`: the account is gone and its erasure requested (app.erasures). */
export const ErasureRequested = z.object({
  status: z.literal("pending"),
  requested_at: timestamp,
  complete_by: timestamp.describe("when the ETL will have removed the learner's data from every layer"),
});
export type ErasureRequested = z.infer<typeof ErasureRequested>;

/** Erasure requests as analysts see them: their state and counts, never whose they are. */
export const ErasureState = z.object({
  pending: z.int(),
  overdue: z.int().describe("pending requests older than ERASURE.erasureDueHours"),
  done: z.int(),
  oldest_pending_at: timestamp.nullable(),
  recent: z
    .array(
      z.object({
        requested_at: timestamp,
        status: z.enum(["pending", "done"]),
        attempts: z.int(),
        last_error: z.string().nullable(),
        completed_at: timestamp.nullable(),
        bronze_lines: z.number().nullable(),
        rejected_lines: z.number().nullable(),
        silver_rows: z.number().nullable(),
        mart_rows: z.number().nullable(),
      }),
    )
    .describe("The latest requests, newest first."),
});
export type ErasureState = z.infer<typeof ErasureState>;

/** `GET /api/status`: the pipeline's freshness, queue and the days of the horizon (horizonDays). */
export const PipelineStatus = z.object({
  now: timestamp,
  failing: z.boolean().describe("Some event date within the horizon is failing (its DayState)."),
  stale: z
    .boolean()
    .describe("The oldest bronze object the ETL has not absorbed was stored more than the worker's threshold ago."),
  lag_seconds: z
    .number()
    .describe("How long the oldest bronze object the ETL has not absorbed has waited since it was stored."),
  last_success_at: timestamp.nullable(),
  queued: z.int(),
  running: z.int(),
  heartbeats: z.array(z.object({ name: z.string(), beat_at: timestamp, age_seconds: z.number() })),
  failures: z
    .array(
      z.object({
        event_date: day,
        attempt: z.int(),
        error: z.string().nullable(),
        finished_at: timestamp.nullable(),
      }),
    )
    .describe("Failed attempts within the horizon that no later done run of their date followed, newest first."),
  days: z.array(RunDay).describe("Every event date within the horizon that has runs, newest first."),
  erasures: ErasureState,
});
export type PipelineStatus = z.infer<typeof PipelineStatus>;

/** `GET /api/recommendations`: a category's courses, ranked for the caller. */
export const Recommendations = z.object({
  category: CategoryRef,
  rec_id: z
    .string()
    .describe("Names this list in its `recommendation_request` event; opens from it carry it with their position."),
  courses: z.array(Course),
  personalized: z.boolean().describe("Whether the caller's interests shaped the order."),
});
export type Recommendations = z.infer<typeof Recommendations>;

/** Every error the API answers with names its problem. */
export const ApiFailure = z.object({ error: z.string() }).meta({ id: "ApiFailure" });
export type ApiFailure = z.infer<typeof ApiFailure>;

/** A 429 or 503: the same request may succeed after `retry_after` seconds, which `Retry-After` also says. */
export const RetryLater = ApiFailure.extend({ retryable: z.literal(true), retry_after: z.int().min(0) }).meta({
  id: "RetryLater",
});
export type RetryLater = z.infer<typeof RetryLater>;
