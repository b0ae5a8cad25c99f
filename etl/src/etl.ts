import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import {
  beat,
  claimRun,
  DEFAULT_RUN_RETRY_POLICY,
  failRun,
  lockSilver,
  type RunRetryPolicy,
  type RunRow,
  recoverStaleRuns,
  S3,
  type RetryPolicy as S3RetryPolicy,
  startRun,
  tryLockDay,
  unlockDay,
  unlockSilver,
} from "@growit/contract";
import type pg from "pg";
import { absorb, type RunHooks } from "./absorb.ts";
import type { EtlConfig } from "./config.ts";
import { type Duck, openDuck } from "./duck.ts";
import {
  type Erasure,
  type ErasureCounts,
  eraseFromBronze,
  eraseFromRejects,
  learnerDays,
  learnerRows,
  pendingErasures,
  sealRootOf,
} from "./erasure.ts";
import { connectPostgres, queryable } from "./postgres.ts";
import type { DayOutcome, Reporter } from "./reporter.ts";
import { SilverCache } from "./silver-cache.ts";

/** Bronze and silver objects can be large: a longer per-attempt limit than the worker's request path. */
const ETL_S3_RETRY: S3RetryPolicy = { attempts: 4, baseDelayMs: 250, timeoutMs: 300_000 };

export interface EtlOptions {
  reporter: Reporter;
  /** Name in etl.runs.worker and etl.heartbeats; default `etl-<role>:<hostname>:<pid>`. */
  name?: string;
  role?: "run" | "worker";
  hooks?: RunHooks;
  /** A running attempt whose process has not beaten for this long is abandoned (default 60 s). */
  staleAfterMs?: number;
  heartbeatMs?: number;
}

export interface WorkOptions {
  pollMs: number;
  retry: RunRetryPolicy;
  signal: AbortSignal;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

const NO_RETRY: RunRetryPolicy = { ...DEFAULT_RUN_RETRY_POLICY, maxAttempts: 0 };

/** How a pending erasure request ended this time (a failed one stays pending and is tried again). */
export type ErasureOutcome =
  | { id: number; status: "done"; counts: ErasureCounts }
  | { id: number; status: "failed"; error: string };

/** The ETL with its connections open: runs days by hand (`run`) or from the queue (`work`). */
export class Etl {
  readonly name: string;
  #beating: NodeJS.Timeout | undefined;

  private constructor(
    readonly config: EtlConfig,
    readonly s3: S3,
    readonly pool: pg.Pool,
    readonly duck: Duck,
    readonly options: EtlOptions,
  ) {
    this.name = options.name ?? `etl-${options.role ?? "run"}:${hostname()}:${process.pid}`;
  }

  /** Checks that S3 and Postgres answer (an error names the one that does not), then opens DuckDB. */
  static async open(config: EtlConfig, options: EtlOptions): Promise<Etl> {
    const s3 = new S3(config.s3, ETL_S3_RETRY);
    try {
      await new S3(config.s3, { ...ETL_S3_RETRY, attempts: 2, timeoutMs: 5_000 }).ping();
    } catch (error) {
      throw new Error(`S3 at ${config.s3.endpoint} (bucket ${config.s3.bucket}) is unreachable: ${message(error)}`);
    }
    const pool = await connectPostgres(config.databaseUrl);
    const duck = await openDuck({
      memoryLimit: config.memoryLimit,
      tempDir: config.tempDir,
      ...(config.threads ? { threads: config.threads } : {}),
    });
    const etl = new Etl(config, s3, pool, duck, options);
    await etl.#beat();
    etl.#beating = setInterval(() => void etl.#beat(), options.heartbeatMs ?? 5_000);
    etl.#beating.unref();
    return etl;
  }

  async #beat(): Promise<void> {
    try {
      await beat(queryable(this.pool), this.name);
    } catch (error) {
      this.options.reporter.log("warn", "heartbeat failed", { name: this.name, error: message(error) });
    }
  }

  /**
   * Runs an attempt whose day lock `client` holds, under the silver writer's lock, and records how
   * it ended: one outcome for each day the run brought up to date, its own day's first.
   */
  async #execute(client: pg.PoolClient, run: RunRow, retry: RunRetryPolicy): Promise<DayOutcome[]> {
    const { reporter } = this.options;
    reporter.log("info", "day started", { day: run.day, attempt: run.attempt, mode: run.mode, worker: this.name });
    const session = queryable(client);
    let outcomes: DayOutcome[];
    try {
      await lockSilver(session);
      try {
        const { days, stages, seconds, sealedObjects } = await absorb(
          {
            s3: this.s3,
            client,
            duck: this.duck,
            cache: new SilverCache(this.config.cacheDir),
            tempDir: this.config.tempDir,
            downloadConcurrency: this.config.downloadConcurrency,
            worker: this.name,
            ...(this.config.sealSecret ? { sealSecret: this.config.sealSecret } : {}),
            ...(this.options.hooks ? { hooks: this.options.hooks } : {}),
            onProgress: (progress) => reporter.progress(run.day, progress),
          },
          run,
        );
        outcomes = days.map(({ day, attempt, counts }) => ({
          day,
          attempt,
          status: "done" as const,
          counts,
          stages,
          runSeconds: seconds,
          sealedObjects,
        }));
      } finally {
        await unlockSilver(session);
      }
    } catch (error) {
      outcomes = [{ day: run.day, attempt: run.attempt, status: "failed", error: message(error) }];
      try {
        const retryAt = await failRun(session, run, message(error), retry);
        if (retryAt) reporter.log("info", "retry queued", { day: run.day, not_before: retryAt.toISOString() });
      } catch (ledgerError) {
        // The attempt stays `running` until its heartbeat goes stale; then it is failed and retried.
        reporter.log("error", "could not record the failure", { day: run.day, error: message(ledgerError) });
      }
    }
    for (const outcome of outcomes) reporter.outcome(outcome);
    return outcomes;
  }

  /**
   * `run --date/--from/--to`: rebuilds each day from its bronze, in order, after absorbing whatever
   * arrived; a failure is recorded and not retried.
   */
  async runDays(days: readonly string[]): Promise<DayOutcome[]> {
    const outcomes: DayOutcome[] = [];
    for (const day of days) {
      const client = await this.pool.connect();
      const session = queryable(client);
      try {
        if (!(await tryLockDay(session, day))) {
          const outcome: DayOutcome = {
            day,
            attempt: 0,
            status: "failed",
            error: `${day} is being run by another process`,
          };
          this.options.reporter.outcome(outcome);
          outcomes.push(outcome);
          continue;
        }
        try {
          const run = await startRun(session, day, this.name, "rebuild");
          outcomes.push(...(await this.#execute(client, run, NO_RETRY)));
        } finally {
          await unlockDay(session, day);
        }
      } finally {
        client.release();
      }
    }
    return outcomes;
  }

  /** Claims one due queued run and executes it; null when there is none. */
  async runNextQueued(retry: RunRetryPolicy): Promise<DayOutcome[] | null> {
    const client = await this.pool.connect();
    const session = queryable(client);
    try {
      const run = await claimRun(session, this.name);
      if (!run) return null;
      try {
        return await this.#execute(client, run, retry);
      } finally {
        await unlockDay(session, run.day);
      }
    } finally {
      client.release();
    }
  }

  /** `run --pending`: the queued runs that are due, until none is left; failures are not retried here. */
  async runPending(): Promise<DayOutcome[]> {
    const outcomes: DayOutcome[] = [];
    for (;;) {
      const outcome = await this.runNextQueued(NO_RETRY);
      if (!outcome) return outcomes;
      outcomes.push(...outcome);
    }
  }

  /**
   * Carries out the pending erasure requests, oldest first. Each runs under the silver writer's
   * lock: the learner's lines leave bronze and the rejects, then each day they had events on is
   * rebuilt from the cleaned bronze, which rewrites its silver partition, its marts and the
   * exports as any rebuild does. Every step can be redone and the counts add up across attempts,
   * so a request interrupted anywhere is finished by a later call (see pendingErasures for `backoff`).
   */
  async eraseRequested(options: { backoff: boolean }): Promise<ErasureOutcome[]> {
    const client = await this.pool.connect();
    try {
      const outcomes: ErasureOutcome[] = [];
      for (const erasure of await pendingErasures(client, options)) outcomes.push(await this.#erase(client, erasure));
      return outcomes;
    } finally {
      client.release();
    }
  }

  async #erase(client: pg.PoolClient, erasure: Erasure): Promise<ErasureOutcome> {
    const { reporter } = this.options;
    const session = queryable(client);
    // Logs name the request, never the learner.
    reporter.log("info", "erasure started", { erasure: erasure.id });
    await lockSilver(session);
    try {
      const { username } = erasure;
      // What silver and the marts hold of the learner is counted once, before anything is removed.
      const before = await learnerRows(client, username);
      await client.query(
        `UPDATE app.erasures SET attempts = attempts + 1, tried_at = now(), silver_rows = coalesce(silver_rows, $2),
           mart_rows = coalesce(mart_rows, $3) WHERE id = $1`,
        [erasure.id, before.silver_rows, before.mart_rows],
      );
      const days = await learnerDays(client, username);
      const afterObject = this.options.hooks?.afterErasedObject;
      const step = {
        s3: this.s3,
        sealRoot: await sealRootOf(this.config.sealSecret),
        client,
        ...(afterObject ? { afterObject } : {}),
      };
      await eraseFromBronze(step, erasure, days);
      await eraseFromRejects(step, erasure);
      for (const day of days) await this.#rebuildForErasure(client, day);
      // A learner without days adds nothing to interest_daily, so their interests go as they are.
      await client.query(
        `DELETE FROM mart.learner_interests WHERE user_id = $1
           AND NOT EXISTS (SELECT 1 FROM mart.learner_daily WHERE user_id = $1)`,
        [username],
      );
      const left = await learnerRows(client, username);
      if (left.mart_rows > 0) throw new Error(`the rebuilt days still hold ${left.mart_rows} mart rows of the learner`);
      const [done] = (
        await client.query<ErasureCounts>(
          `UPDATE app.erasures SET status = 'done', completed_at = now(), last_error = NULL,
             bronze_objects = coalesce(bronze_objects, 0), bronze_lines = coalesce(bronze_lines, 0),
             rejected_lines = coalesce(rejected_lines, 0)
           WHERE id = $1
           RETURNING bronze_objects::float8, bronze_lines::float8, rejected_lines::float8, silver_rows::float8, mart_rows::float8`,
          [erasure.id],
        )
      ).rows;
      const counts = done as ErasureCounts;
      reporter.log("info", "erasure done", { erasure: erasure.id, ...counts });
      return { id: erasure.id, status: "done", counts };
    } catch (error) {
      reporter.log("error", "erasure failed", { erasure: erasure.id, error: message(error) });
      await client
        .query("UPDATE app.erasures SET last_error = $2 WHERE id = $1", [erasure.id, message(error)])
        .catch(() => {});
      return { id: erasure.id, status: "failed", error: message(error) };
    } finally {
      await unlockSilver(session);
    }
  }

  /** Rebuilds `day` from its bronze for an erasure; throws when the day is busy or the rebuild fails. */
  async #rebuildForErasure(client: pg.PoolClient, day: string): Promise<void> {
    const session = queryable(client);
    if (!(await tryLockDay(session, day))) throw new Error(`${day} is being run by another process`);
    try {
      const run = await startRun(session, day, this.name, "rebuild");
      const [own] = await this.#execute(client, run, NO_RETRY);
      if (own?.status === "failed") throw new Error(`rebuilding ${day} failed: ${own.error}`);
    } finally {
      await unlockDay(session, day);
    }
  }

  /** Fails the attempts of processes that stopped beating and queues their retries. */
  async recoverStale(retry: RunRetryPolicy): Promise<void> {
    const client = await this.pool.connect();
    try {
      for (const run of await recoverStaleRuns(queryable(client), this.options.staleAfterMs ?? 60_000, retry)) {
        this.options.reporter.log("warn", "abandoned run failed", { day: run.day, attempt: run.attempt });
      }
    } finally {
      client.release();
    }
  }

  /** `work`: claims and runs queued days until `signal` aborts; the run in progress is finished first. */
  async work(options: WorkOptions): Promise<DayOutcome[]> {
    const outcomes: DayOutcome[] = [];
    this.options.reporter.log("info", "worker started", { name: this.name, poll_ms: options.pollMs });
    while (!options.signal.aborted) {
      try {
        await this.recoverStale(options.retry);
        const outcome = await this.runNextQueued(options.retry);
        if (outcome) {
          outcomes.push(...outcome);
          continue;
        }
        // Between runs: a request that fails here is tried again at a later poll.
        await this.eraseRequested({ backoff: true });
      } catch (error) {
        // Postgres or S3 away: say so and try again at the next poll.
        this.options.reporter.log("warn", "poll failed", { error: message(error) });
      }
      await sleep(options.pollMs, undefined, { signal: options.signal }).catch(() => {});
    }
    this.options.reporter.log("info", "worker stopped", { name: this.name, runs: outcomes.length });
    return outcomes;
  }

  async close(): Promise<void> {
    clearInterval(this.#beating);
    this.duck.close();
    await this.pool.end();
  }
}
