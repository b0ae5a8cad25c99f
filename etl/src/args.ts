import { type ParseArgsConfig, parseArgs } from "node:util";
import { dayRange, isDay } from "@growit/contract";

export type Command =
  | { kind: "run"; days: string[] }
  | { kind: "run-pending" }
  | { kind: "work"; pollMs: number; maxAttempts: number }
  | { kind: "help" };

export const USAGE = `usage: npm run etl -- <command>

  run --date YYYY-MM-DD            rebuild one day from all of its bronze (silver -> mart ->
                                   exports), after absorbing whatever bronze arrived
  run --from YYYY-MM-DD --to YYYY-MM-DD
                                   rebuild every day of the range, both included
  run --pending                    the queued runs in etl.runs, until none is left: each absorbs
                                   the bronze that arrived and updates every day it touched
  work [--poll-ms N] [--max-attempts N]
                                   the queue worker: claims queued days, retries failures
                                   with backoff up to N attempts (default 3), polls every
                                   N ms (default 2000); stops on SIGINT/SIGTERM

environment: S3_ENDPOINT S3_REGION S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY DATABASE_URL
             BRONZE_SEAL_KEY ETL_MEMORY_LIMIT (512MB) ETL_TEMP_DIR ETL_CACHE_DIR ETL_THREADS
             ETL_DOWNLOAD_CONCURRENCY (8)
exit codes:  0 every day done, 1 some day failed, 2 usage`;

/** A command line the CLI cannot run; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const positive = (flag: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${text}`);
  return n;
};

const day = (flag: string, text: string): string => {
  if (!isDay(text)) throw new UsageError(`${flag} must be a date YYYY-MM-DD, got ${text}`);
  return text;
};

function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Parses the arguments after `etl`. */
export function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") return { kind: "help" };
  if (name === "run") {
    const values = parse(rest, {
      date: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      pending: { type: "boolean" },
    }) as { date?: string; from?: string; to?: string; pending?: boolean };
    const modes = [values.date !== undefined, values.from !== undefined || values.to !== undefined, !!values.pending];
    if (modes.filter(Boolean).length !== 1) throw new UsageError("run takes one of --date, --from/--to, --pending");
    if (values.pending) return { kind: "run-pending" };
    if (values.date !== undefined) return { kind: "run", days: [day("--date", values.date)] };
    if (values.from === undefined || values.to === undefined) throw new UsageError("--from and --to go together");
    try {
      return { kind: "run", days: dayRange(day("--from", values.from), day("--to", values.to)) };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  if (name === "work") {
    const values = parse(rest, {
      "poll-ms": { type: "string" },
      "max-attempts": { type: "string" },
    }) as { "poll-ms"?: string; "max-attempts"?: string };
    return {
      kind: "work",
      pollMs: positive("--poll-ms", values["poll-ms"], 2000),
      maxAttempts: positive("--max-attempts", values["max-attempts"], 3),
    };
  }
  throw new UsageError(`unknown command ${name}`);
}
