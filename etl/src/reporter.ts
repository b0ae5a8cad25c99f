import type { RunCounts } from "@growit/contract";
import type { StageSeconds } from "./absorb.ts";
import type { FetchProgress } from "./bronze-fetch.ts";

export interface DayOutcome {
  day: string;
  attempt: number;
  status: "done" | "failed";
  counts?: RunCounts;
  stages?: StageSeconds;
  /** The whole run's seconds, from its fetch to its exports (etl.runs' seconds stop as the run is recorded, before its commit). */
  runSeconds?: number;
  /** Bronze objects taken as checked on the strength of their seal. */
  sealedObjects?: number;
  error?: string;
}

/** The process's peak resident set so far, in bytes. */
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;

export type LogLevel = "info" | "warn" | "error";

/** pino's numbers for these levels, so that whatever reads pino's lines reads the ETL's. */
const PINO_LEVELS: Record<LogLevel, number> = { info: 30, warn: 40, error: 50 };

/** Where the CLI tells what it does: progress bars and a table on a terminal, JSON lines elsewhere. */
export interface Reporter {
  /** `fields` are the line's own (day, error, …), besides the level, time and message every line has. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  progress(day: string, progress: FetchProgress): void;
  outcome(outcome: DayOutcome): void;
  summary(outcomes: readonly DayOutcome[]): void;
}

/** One JSON object per line on `out`, shaped like pino's (`level`, `time` in epoch ms, `msg`), for log collectors. */
export class JsonReporter implements Reporter {
  #lastProgress = 0;
  constructor(readonly out: NodeJS.WritableStream = process.stdout) {}

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    this.out.write(`${JSON.stringify({ level: PINO_LEVELS[level], time: Date.now(), msg: message, ...fields })}\n`);
  }

  progress(day: string, progress: FetchProgress): void {
    // At most one line every 2 s, and the last one.
    const now = Date.now();
    if (progress.objects < progress.totalObjects && now - this.#lastProgress < 2000) return;
    this.#lastProgress = now;
    this.log("info", "bronze progress", { day, ...progress });
  }

  outcome(outcome: DayOutcome): void {
    const { day, attempt, status, counts, stages, runSeconds, sealedObjects, error } = outcome;
    const done = status === "done";
    this.log(done ? "info" : "error", done ? "day done" : "day failed", {
      day,
      attempt,
      ...counts,
      ...(sealedObjects === undefined ? {} : { sealed_objects: sealedObjects }),
      ...(stages ? { stages } : {}),
      ...(runSeconds === undefined ? {} : { run_seconds: runSeconds }),
      ...(error ? { error } : {}),
      peak_rss_bytes: peakRssBytes(),
    });
  }

  summary(outcomes: readonly DayOutcome[]): void {
    const failed = outcomes.filter((o) => o.status === "failed").map((o) => o.day);
    this.log("info", "summary", {
      days: outcomes.length,
      done: outcomes.length - failed.length,
      failed,
      peak_rss_bytes: peakRssBytes(),
    });
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const thousands = (n: number) => n.toLocaleString("en-US");

function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** Progress bars redrawn in place on stderr, then a summary table. */
export class TerminalReporter implements Reporter {
  #drawn = false;
  constructor(readonly out: NodeJS.WriteStream = process.stderr) {}

  #clear(): void {
    if (this.#drawn) this.out.write("\r\x1b[2K");
    this.#drawn = false;
  }

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    this.#clear();
    const details = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    const label = level === "info" ? [] : [`${level}:`];
    this.out.write(`${[...label, message, ...details].join(" ")}\n`);
  }

  progress(day: string, p: FetchProgress): void {
    this.#clear();
    this.out.write(
      `${day} objects ${bar(p.objects, p.totalObjects)} ${p.objects}/${p.totalObjects}  ` +
        `bytes ${bar(p.bytes, p.totalBytes)} ${mib(p.bytes)}/${mib(p.totalBytes)}`,
    );
    this.#drawn = true;
  }

  outcome(outcome: DayOutcome): void {
    this.#clear();
    const detail = outcome.status === "done" ? `${outcome.counts?.seconds ?? 0} s` : (outcome.error ?? "");
    this.out.write(`${outcome.day} attempt ${outcome.attempt} ${outcome.status}: ${detail}\n`);
  }

  summary(outcomes: readonly DayOutcome[]): void {
    this.#clear();
    const header = ["day", "status", "bronze lines", "rejected", "duplicates", "silver rows", "mart rows", "read", "s"];
    const rows = outcomes.map((o) => {
      const c = o.counts;
      return [
        o.day,
        o.status,
        ...(c
          ? [c.bronze_lines, c.rejected, c.duplicates, c.silver_rows, c.mart_rows].map(thousands)
          : ["", "", "", "", ""]),
        c ? mib(c.bytes) : "",
        c ? c.seconds.toFixed(2) : "",
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (cells: readonly string[]) =>
      cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
    this.out.write(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
    for (const row of rows) this.out.write(`${line(row)}\n`);
    for (const o of outcomes) if (o.error) this.out.write(`${o.day}: ${o.error}\n`);
    this.out.write(`peak RSS ${mib(peakRssBytes())}\n`);
  }
}

/** JSON lines on stdout when asked (`--json`) or when `terminal` is none; else progress bars on `terminal`. */
export const reporterFor = (json: boolean, terminal: NodeJS.WriteStream = process.stderr): Reporter =>
  json || !terminal.isTTY ? new JsonReporter() : new TerminalReporter(terminal);
