import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOLD_MART_NAMES, S3 } from "@growit/contract";
import pg from "pg";
import { inject } from "vitest";
import { S3 as LOCAL_S3 } from "../../stack/src/local.ts";
import type { EtlConfig } from "../src/config.ts";
import { Etl, type EtlOptions } from "../src/etl.ts";
import type { DayOutcome, LogLevel, Reporter } from "../src/reporter.ts";

/** A new empty bucket on the test s3rver, so that each test file starts from nothing. */
export async function freshBucket(): Promise<string> {
  const bucket = `etl-${randomBytes(4).toString("hex")}`;
  const s3 = new S3({ ...testConfig(bucket).s3 });
  const response = await s3.send("", { method: "PUT" });
  if (!response.ok) throw new Error(`creating bucket ${bucket}: HTTP ${response.status} ${await response.text()}`);
  return bucket;
}

export function testConfig(bucket: string): EtlConfig {
  return {
    s3: {
      endpoint: inject("s3Endpoint"),
      region: LOCAL_S3.region,
      bucket,
      accessKeyId: LOCAL_S3.accessKeyId,
      secretAccessKey: LOCAL_S3.secretAccessKey,
    },
    databaseUrl: inject("databaseUrl"),
    memoryLimit: "256MB",
    tempDir: join(tmpdir(), "growit-etl-test"),
    cacheDir: join(tmpdir(), `growit-etl-test-cache-${bucket}`),
    threads: 2,
    downloadConcurrency: 4,
  };
}

/** The gold marts and the tables they are computed from (migrations 012 and 013). */
const GOLD_TABLES = [
  ...GOLD_MART_NAMES.map((mart) => `mart.${mart}`),
  "mart.learner_daily",
  "mart.learner_activity",
  "mart.session_learners",
  "mart.anonymous_session_events",
  "etl.gold_days",
  "mart.learner_interests",
  "mart.recommendation_lists",
  "mart.recommendation_list_opens",
  "mart.searches",
  "mart.search_opens",
  "mart.course_open_rates",
];

/** Empties what the ETL writes in the shared test database. */
export async function resetDatabase(): Promise<void> {
  const client = new pg.Client(inject("databaseUrl"));
  await client.connect();
  try {
    await client.query(
      `TRUNCATE mart.daily_events, ${GOLD_TABLES.join(", ")}, etl.runs, etl.silver_files, etl.silver_garbage,
       etl.bronze_objects, etl.heartbeats, etl.exports, app.erasures`,
    );
  } finally {
    await client.end();
  }
}

/** One statement on a connection of its own; a Queryable, so that tests can call the contract's ledger with it. */
export async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(inject("databaseUrl"));
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A reporter that keeps what it is told, for assertions. */
export class RecordingReporter implements Reporter {
  readonly logs: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> }> = [];
  readonly outcomes: DayOutcome[] = [];
  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    this.logs.push({ level, message, fields });
  }
  progress(): void {}
  outcome(outcome: DayOutcome): void {
    this.outcomes.push(outcome);
  }
  summary(): void {}
}

/** Runs `work` with an ETL opened on `config` (reporting to a RecordingReporter unless `options` say otherwise), then closes it. */
export async function withEtl<T>(
  config: EtlConfig,
  work: (etl: Etl) => Promise<T>,
  options: Partial<EtlOptions> = {},
): Promise<T> {
  const etl = await Etl.open(config, { reporter: new RecordingReporter(), ...options });
  try {
    return await work(etl);
  } finally {
    await etl.close();
  }
}
