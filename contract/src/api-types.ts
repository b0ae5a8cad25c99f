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

/** One day's latest run in etl.runs, as `GET /api/status` lists it. */
export interface RunDay {
  event_date: string;
  latest_status: RunStatus;
  attempts: number;
  last_done_at: string | null;
  bronze_lines: number | null;
  rejected: number | null;
  duplicates: number | null;
  silver_rows: number | null;
  mart_rows: number | null;
  seconds: number | null;
}

/** `GET /api/status`: the pipeline's freshness, queue and recent days. */
export interface PipelineStatus {
  now: string;
  stale: boolean;
  /** How long the oldest event not yet covered by a successful run has waited. */
  lag_seconds: number;
  last_success_at: string | null;
  queued: number;
  running: number;
  heartbeats: { name: string; beat_at: string; age_seconds: number }[];
  failures: { event_date: string; attempt: number; error: string | null; finished_at: string | null }[];
  days: RunDay[];
}
