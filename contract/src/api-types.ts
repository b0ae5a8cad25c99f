/**
 * The shapes the worker's API answers with, shared by the worker (which produces them),
 * the SPA and the dashboard (which read them) and the ETL (which writes the manifest).
 */

export type Level = "beginner" | "intermediate" | "advanced";
export type Role = "learner" | "analyst";

export interface Category {
  id: string;
  name: string;
  description: string;
  icon: string;
  accent: string;
}

export interface Course {
  id: string;
  category_id: string;
  title: string;
  provider: string;
  duration: string;
  level: Level;
  url: string;
}

export interface Video {
  id: string;
  category_id: string;
  title: string;
  channel: string;
  url: string;
}

/** An account as the API shows it: never the password hash. */
export interface Account {
  username: string;
  full_name: string;
  interests: string[];
  role: Role;
  created_at: string;
}

export interface SearchHit {
  kind: "course" | "video";
  id: string;
  title: string;
  /** The course's provider or the video's channel. */
  source: string;
  category_id: string;
  category_name: string;
  level: Level | null;
  duration: string | null;
  url: string;
}

export interface SearchPage {
  query: string;
  /** Names this search in its `search_query` event; opens of its results carry it. */
  search_id: string;
  page: number;
  limit: number;
  total: number;
  results: SearchHit[];
}

/** One file of `exports/manifest.json`. */
export interface ManifestFile {
  key: string;
  bytes: number;
  rows: number;
  sha256: string;
  generated_at: string;
}

/** `exports/manifest.json`: every file the ETL exports (the mart and each silver partition). */
export interface Manifest {
  generated_at: string;
  files: ManifestFile[];
}

export type RunStatus = "queued" | "running" | "done" | "failed";

/**
 * Where an event date stands: failing while its last finished run failed (a retry that is queued
 * or running does not clear that; a later done run does), otherwise its latest run's status.
 */
export type DayState = "failing" | "running" | "queued" | "done";

/** One day's latest run in etl.runs, as `GET /api/status` lists it. */
export interface RunDay {
  event_date: string;
  latest_status: RunStatus;
  state: DayState;
  attempts: number;
  last_done_at: string | null;
  bronze_lines: number | null;
  rejected: number | null;
  duplicates: number | null;
  silver_rows: number | null;
  mart_rows: number | null;
  seconds: number | null;
}

/** `GET /api/status`: the pipeline's freshness, queue and the days of the horizon (horizonDays). */
export interface PipelineStatus {
  now: string;
  /** Some event date within the horizon is failing (its DayState). */
  failing: boolean;
  /** The oldest bronze object the ETL has not absorbed was stored more than the worker's threshold ago. */
  stale: boolean;
  /** How long the oldest bronze object the ETL has not absorbed has waited since it was stored. */
  lag_seconds: number;
  last_success_at: string | null;
  queued: number;
  running: number;
  heartbeats: { name: string; beat_at: string; age_seconds: number }[];
  /** Failed attempts within the horizon that no later done run of their date followed, newest first. */
  failures: { event_date: string; attempt: number; error: string | null; finished_at: string | null }[];
  /** Every event date within the horizon that has runs, newest first. */
  days: RunDay[];
}

/** `GET /api/recommendations`: a category's courses, ranked for the caller. */
export interface Recommendations {
  category: { id: string; name: string };
  /** Names this list in its `recommendation_request` event; opens from it carry it with their position. */
  rec_id: string;
  courses: Course[];
  /** Whether the caller's interests shaped the order. */
  personalized: boolean;
}
