import { type ParseArgsConfig, parseArgs } from "node:util";
import { dayRange, isDay } from "@growit/contract";
import { DEFAULTS, REQUIRED_VARIABLES } from "./config.ts";

export type Command =
  | { kind: "run"; days: string[]; json: boolean }
  | { kind: "run-pending"; json: boolean }
  | { kind: "work"; pollMs: number; maxAttempts: number; json: boolean }
  | { kind: "help"; usage: string }
  | { kind: "version" };

const ENVIRONMENT = `environment: ${REQUIRED_VARIABLES.join(" ")}
             (all required) BRONZE_SEAL_KEY ETL_MEMORY_LIMIT (${DEFAULTS.memoryLimit}) ETL_TEMP_DIR ETL_CACHE_DIR
             ETL_THREADS ETL_DOWNLOAD_CONCURRENCY (${DEFAULTS.downloadConcurrency})`;

const COMMON_OPTIONS = `  --json                           log JSON lines on stdout, even on a terminal (off a
                                   terminal they are the default)
  --help, -h                       this help`;

export const USAGE = `usage: npm run etl -- <command> [options]

commands:
  run       rebuild days, or run the queued runs, then exit
  work      the queue worker: runs queued days until stopped

options:
  --help, -h                       this help; after a command, that command's
  --version                        the ETL's version

${ENVIRONMENT}
exit codes:  0 every day done, 1 some day failed or the ETL could not start, 2 usage`;

export const RUN_USAGE = `usage: npm run etl -- run (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD | --pending) [--json]

  --date YYYY-MM-DD                rebuild one day from all of its bronze (silver -> mart ->
                                   exports), after absorbing whatever bronze arrived
  --from YYYY-MM-DD --to YYYY-MM-DD
                                   rebuild every day of the range, both included
  --pending                        the queued runs in etl.runs, until none is left: each absorbs
                                   the bronze that arrived and updates every day it touched;
                                   then the pending erasure requests (app.erasures)
${COMMON_OPTIONS}

${ENVIRONMENT}
exit codes:  0 every day and erasure done, 1 some day or erasure failed or the ETL could not
             start, 2 usage`;

export const WORK_USAGE = `usage: npm run etl -- work [--poll-ms N] [--max-attempts N] [--json]

  claims queued days from etl.runs and runs them until SIGINT/SIGTERM, which lets the run in
  progress finish; between runs, carries out the pending erasure requests

  --poll-ms N                      how often to look for queued days while there are none (default 2000)
  --max-attempts N                 attempts of a day before it stays failed; failures are
                                   retried with backoff (default 3)
${COMMON_OPTIONS}

${ENVIRONMENT}
exit codes:  0 stopped, 1 the ETL could not start, 2 usage`;

/** A command line the CLI cannot run; the CLI prints it with `usage` and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

const positive = (flag: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got ${text}`, WORK_USAGE);
  return n;
};

const day = (flag: string, text: string): string => {
  if (!isDay(text)) throw new UsageError(`${flag} must be a date YYYY-MM-DD, got ${text}`, RUN_USAGE);
  return text;
};

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The options every command takes besides its own. */
const COMMON: NonNullable<ParseArgsConfig["options"]> = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, ...COMMON }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(errorText(error), usage);
  }
}

function parseRun(argv: string[]): Command {
  const values = parse(
    argv,
    { date: { type: "string" }, from: { type: "string" }, to: { type: "string" }, pending: { type: "boolean" } },
    RUN_USAGE,
  ) as { date?: string; from?: string; to?: string; pending?: boolean; json?: boolean; help?: boolean };
  if (values.help) return { kind: "help", usage: RUN_USAGE };
  const json = !!values.json;
  const modes = [values.date !== undefined, values.from !== undefined || values.to !== undefined, !!values.pending];
  if (modes.filter(Boolean).length !== 1)
    throw new UsageError("run takes one of --date, --from/--to, --pending", RUN_USAGE);
  if (values.pending) return { kind: "run-pending", json };
  if (values.date !== undefined) return { kind: "run", days: [day("--date", values.date)], json };
  if (values.from === undefined || values.to === undefined)
    throw new UsageError("--from and --to go together", RUN_USAGE);
  const [from, to] = [day("--from", values.from), day("--to", values.to)];
  try {
    return { kind: "run", days: dayRange(from, to), json };
  } catch (error) {
    throw new UsageError(errorText(error), RUN_USAGE);
  }
}

function parseWork(argv: string[]): Command {
  const values = parse(argv, { "poll-ms": { type: "string" }, "max-attempts": { type: "string" } }, WORK_USAGE) as {
    "poll-ms"?: string;
    "max-attempts"?: string;
    json?: boolean;
    help?: boolean;
  };
  if (values.help) return { kind: "help", usage: WORK_USAGE };
  return {
    kind: "work",
    pollMs: positive("--poll-ms", values["poll-ms"], 2000),
    maxAttempts: positive("--max-attempts", values["max-attempts"], 3),
    json: !!values.json,
  };
}

const COMMAND_USAGE = new Map([
  ["run", RUN_USAGE],
  ["work", WORK_USAGE],
]);

/** Parses the arguments after `etl`. */
export function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") return { kind: "help", usage: USAGE };
  if (name === "help") return { kind: "help", usage: COMMAND_USAGE.get(rest[0] ?? "") ?? USAGE };
  if (name === "--version") return { kind: "version" };
  if (name === "run") return parseRun(rest);
  if (name === "work") return parseWork(rest);
  throw new UsageError(`unknown command ${name}`, USAGE);
}
