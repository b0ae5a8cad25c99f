import { ApiError } from "../api.ts";

/** One day's last run in etl.runs, as `GET /api/status` lists it (worker/src/pipeline/status.ts). */
export interface RunDay {
  event_date: string;
  latest_status: "queued" | "running" | "done" | "failed";
  attempts: number;
  last_done_at: string | null;
  bronze_lines: number | null;
  rejected: number | null;
  duplicates: number | null;
  silver_rows: number | null;
  mart_rows: number | null;
  seconds: number | null;
}

export interface PipelineStatus {
  now: string;
  stale: boolean;
  lag_seconds: number;
  last_success_at: string | null;
  queued: number;
  running: number;
  heartbeats: { name: string; beat_at: string; age_seconds: number }[];
  failures: { event_date: string; attempt: number; error: string | null; finished_at: string | null }[];
  days: RunDay[];
}

export async function fetchStatus(): Promise<PipelineStatus> {
  let response: Response;
  try {
    response = await fetch("/api/status", { credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network");
  }
  const payload = (await response.json().catch(() => ({}))) as PipelineStatus & { error?: string };
  if (!response.ok) throw new ApiError(response.status, payload.error ?? `HTTP ${response.status}`);
  return payload;
}
