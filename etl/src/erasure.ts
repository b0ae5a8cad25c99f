// Erasing a learner's data from the bucket: their lines in bronze objects and in the rejects.
// Silver, the marts and the exports follow by rebuilding the learner's days from the cleaned
// bronze (Etl.eraseRequested), so no second way of computing them exists.
import {
  addDays,
  bronzeDayPrefix,
  bronzeEventsObject,
  bronzeSealKey,
  dayRange,
  ERASURE,
  isGzipEncoding,
  rejectedDayPrefix,
  type S3,
  S3Error,
  SEAL_HEADER,
  type SealKey,
  utcDay,
} from "@growit/contract";
import type pg from "pg";

/** A pending request of app.erasures. */
export interface Erasure {
  id: number;
  username: string;
  accountCreatedAt: Date;
  requestedAt: Date;
}

/** What an erasure removed, as app.erasures records it. */
export interface ErasureCounts {
  bronze_objects: number;
  bronze_lines: number;
  rejected_lines: number;
  silver_rows: number;
  mart_rows: number;
}

/** A name whose lines the ETL drops on sight: erased, and not yet free for a new account (ERASURE.nameBlockedDays). */
export interface ErasedName {
  username: string;
  /** Lines received from this instant on may be a new account's. */
  until: Date;
}

const LF = 0x0a;
const lossy = new TextDecoder("utf-8", { ignoreBOM: true });

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether one stored line names `username` as its learner: a bronze envelope's `username`, a
 * worker reject's `username`, or, inside an ETL reject, the raw line it kept (as text, since it may
 * be no JSON). Lines that are no JSON are matched on the field's text, so that a learner's
 * unreadable lines go too.
 */
export function namesLearner(line: string, username: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new RegExp(`"username"\\s*:\\s*${escapeRegExp(JSON.stringify(username))}`).test(line);
  }
  if (typeof value !== "object" || value === null) return false;
  const record = value as { username?: unknown; event?: unknown };
  if (record.username === username) return true;
  const kept = record.event;
  if (typeof kept === "string") return namesLearner(kept, username);
  return typeof kept === "object" && kept !== null && (kept as { username?: unknown }).username === username;
}

/**
 * `bytes` without the lines that name any of `usernames`; every other line is kept byte for byte.
 * A quick search for the names' text skips objects that cannot hold them.
 */
export function withoutLearners(
  bytes: Uint8Array,
  usernames: readonly string[],
): { bytes: Uint8Array; removed: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mentioned = usernames.filter((name) => buffer.includes(JSON.stringify(name).slice(1, -1)));
  if (mentioned.length === 0) return { bytes, removed: 0 };
  const kept: Uint8Array[] = [];
  let removed = 0;
  for (let start = 0; start < bytes.length; ) {
    const lf = buffer.indexOf(LF, start);
    const end = lf === -1 ? bytes.length : lf + 1;
    const line = bytes.subarray(start, end);
    const text = lossy.decode(line).trimEnd();
    if (text !== "" && mentioned.some((name) => namesLearner(text, name))) removed++;
    else kept.push(line);
    start = end;
  }
  return removed === 0 ? { bytes, removed } : { bytes: Buffer.concat(kept), removed };
}

/** The seal root of BRONZE_SEAL_KEY, or null without one. */
export const sealRootOf = (secret: string | undefined): Promise<SealKey | null> =>
  secret ? bronzeSealKey(secret) : Promise.resolve(null);

export interface RewriteOptions {
  s3: S3;
  /** The seal root (BRONZE_SEAL_KEY): a sealed object is sealed again once rewritten. */
  sealRoot: SealKey | null;
}

/**
 * Rewrites the object at `key` without the lines naming any of `usernames`, sealing it again when
 * it was sealed and the seal key is known; an object left empty is deleted. A missing object
 * counts as already done, so that a rerun after a crash goes on. Returns the bytes and lines left
 * (null when the object is gone) and how many lines were removed.
 */
export async function rewriteWithout(
  options: RewriteOptions,
  key: string,
  usernames: readonly string[],
  contentType: string,
): Promise<{ removed: number; left: { bytes: number; lines: number } | null }> {
  let stored: { bytes: Uint8Array<ArrayBuffer>; headers: Headers };
  try {
    stored = await options.s3.getObject(key);
  } catch (error) {
    if (error instanceof S3Error && error.status === 404) return { removed: 0, left: null };
    throw error;
  }
  const { bytes, removed } = withoutLearners(stored.bytes, usernames);
  const lines = countLines(bytes);
  if (removed === 0) return { removed, left: { bytes: bytes.length, lines } };
  if (lines === 0) {
    await options.s3.delete(key);
    return { removed, left: null };
  }
  const sealRoot = stored.headers.has(SEAL_HEADER) ? options.sealRoot : null;
  // Stored again as it was (fetch decoded a compressed object): compressed, or not, and sealed, or not.
  const { body, headers } = await bronzeEventsObject(key, Uint8Array.from(bytes), sealRoot, {
    compress: isGzipEncoding(stored.headers.get("content-encoding")),
  });
  await options.s3.put(key, body, contentType, headers);
  return { removed, left: { bytes: body.length, lines } };
}

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === LF) lines++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== LF ? lines + 1 : lines;
}

/**
 * The pending requests, oldest first. With `backoff`, one whose last attempt failed waits before
 * its next, twice as long after each failure up to an hour, so that a queue worker polling every
 * few seconds does not hammer what failed.
 */
export async function pendingErasures(client: pg.PoolClient, options: { backoff: boolean }): Promise<Erasure[]> {
  const result = await client.query<{ id: string; username: string; account_created_at: Date; requested_at: Date }>(
    `SELECT id, username, account_created_at, requested_at FROM app.erasures
      WHERE status = 'pending' AND (NOT $1 OR last_error IS NULL
        OR tried_at + least(interval '30 seconds' * power(2, least(attempts, 10) - 1), interval '1 hour') <= now())
      ORDER BY requested_at, id`,
    [options.backoff],
  );
  return result.rows.map((row) => ({
    id: Number(row.id),
    username: row.username,
    accountCreatedAt: row.account_created_at,
    requestedAt: row.requested_at,
  }));
}

/**
 * The erased names whose lines the ETL drops on sight (ErasedName): those a line received before
 * their `until` could still reach it, received that late within the horizon.
 */
export async function erasedNames(client: pg.PoolClient, now: Date): Promise<ErasedName[]> {
  const result = await client.query<{ username: string; until: Date }>(
    `SELECT username, max(requested_at) + make_interval(days => $2) AS until FROM app.erasures
      GROUP BY username HAVING max(requested_at) + make_interval(days => 2 * $2) > $1::timestamptz`,
    [now.toISOString(), ERASURE.nameBlockedDays],
  );
  return result.rows;
}

/** Adds the bronze lines and objects dropped on sight (see erasedNames) to each learner's latest erasure. */
export async function countErasedLines(
  client: pg.PoolClient,
  byLearner: ReadonlyMap<string, { lines: number; objects: ReadonlySet<number> }>,
): Promise<void> {
  if (byLearner.size === 0) return;
  const learners = [...byLearner];
  await client.query(
    `UPDATE app.erasures e SET bronze_lines = coalesce(e.bronze_lines, 0) + d.lines,
       bronze_objects = coalesce(e.bronze_objects, 0) + d.objects
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS d(username, lines, objects)
      WHERE e.id = (SELECT id FROM app.erasures WHERE username = d.username ORDER BY requested_at DESC LIMIT 1)`,
    [learners.map(([name]) => name), learners.map(([, d]) => d.lines), learners.map(([, d]) => d.objects.size)],
  );
}

/**
 * The event dates the learner has rows of in silver, as the marts know them (mart.daily_events
 * and mart.learner_daily hold a row for every learner-day of silver).
 */
export async function learnerDays(client: pg.PoolClient, username: string): Promise<string[]> {
  const result = await client.query<{ day: string }>(
    `SELECT DISTINCT to_char(event_date, 'YYYY-MM-DD') AS day FROM (
       SELECT event_date FROM mart.daily_events WHERE user_id = $1
       UNION ALL SELECT event_date FROM mart.learner_daily WHERE user_id = $1) d ORDER BY 1`,
    [username],
  );
  return result.rows.map((r) => r.day);
}

/** The Postgres tables outside app.erasures whose rows can name a learner, with the column that does. */
export const LEARNER_ROWS = [
  ["mart.daily_events", "user_id"],
  ["mart.learner_daily", "user_id"],
  ["mart.learner_activity", "user_id"],
  ["mart.session_learners", "user_id"],
  ["mart.learner_interests", "user_id"],
] as const;

/** The learner's silver rows (by mart.learner_daily) and their rows in the marts. */
export async function learnerRows(
  client: pg.PoolClient,
  username: string,
): Promise<Pick<ErasureCounts, "silver_rows" | "mart_rows">> {
  const result = await client.query<{ silver_rows: string; mart_rows: string }>(
    `SELECT (SELECT coalesce(sum(events), 0) FROM mart.learner_daily WHERE user_id = $1) AS silver_rows,
       ${LEARNER_ROWS.map(([table, column]) => `(SELECT count(*) FROM ${table} WHERE ${column} = $1)`).join(" + ")} AS mart_rows`,
    [username],
  );
  const row = result.rows[0];
  return { silver_rows: Number(row?.silver_rows ?? 0), mart_rows: Number(row?.mart_rows ?? 0) };
}

const JSONL = "application/x-ndjson";

/** Where an erasure records what it removed, object by object, so that counts survive a crash. */
export interface ErasureStepOptions extends RewriteOptions {
  client: pg.PoolClient;
  /** Called after each object the erasure rewrote and counted (tests stop an erasure there). */
  afterObject?: () => Promise<void> | void;
}

/** Adds what was removed to an erasure's counts. */
async function addToCounts(client: pg.PoolClient, id: number, counts: Partial<ErasureCounts>): Promise<void> {
  const entries = Object.entries(counts);
  await client.query(
    `UPDATE app.erasures SET ${entries.map(([column], i) => `${column} = coalesce(${column}, 0) + $${i + 2}`).join(", ")}
      WHERE id = $1`,
    [id, ...entries.map(([, n]) => n)],
  );
}

/**
 * Removes the learner's lines from bronze. Which objects can hold them is known without reading
 * the bucket: etl.bronze_objects records the event dates of each absorbed object, and the
 * learner's event dates are in the marts (`days`), so only the objects of those dates are read,
 * plus the objects with rejected lines or quarantined that were received while the account
 * existed (a line that was never used has no event date). Updates each rewritten object's
 * record; an object left empty goes with its record.
 */
export async function eraseFromBronze(options: ErasureStepOptions, erasure: Erasure, days: readonly string[]) {
  const { client } = options;
  const lifetime = accountBronzeDays(erasure);
  const candidates = await client.query<{ key: string }>(
    `SELECT key FROM etl.bronze_objects
      WHERE event_dates && $1::date[] OR ((rejected > 0 OR quarantined) AND key >= $2 AND key < $3) ORDER BY key`,
    [days, bronzeDayPrefix(lifetime[0] as string), bronzeDayPrefix(addDays(lifetime.at(-1) as string, 1))],
  );
  for (const { key } of candidates.rows) {
    const { removed, left } = await rewriteWithout(options, key, [erasure.username], JSONL);
    if (removed === 0 && left !== null) continue;
    if (left === null) await client.query("DELETE FROM etl.bronze_objects WHERE key = $1", [key]);
    else
      await client.query("UPDATE etl.bronze_objects SET bytes = $2, lines = $3 WHERE key = $1", [
        key,
        left.bytes,
        left.lines,
      ]);
    if (removed > 0) await addToCounts(client, erasure.id, { bronze_objects: 1, bronze_lines: removed });
    await options.afterObject?.();
  }
}

/**
 * The bronze days the learner's lines can be in: from the day the account was made to the day
 * after its erasure was asked for (a request in flight then may land just after midnight).
 */
function accountBronzeDays(erasure: Erasure): string[] {
  return dayRange(utcDay(erasure.accountCreatedAt), addDays(utcDay(erasure.requestedAt), 1));
}

/**
 * Removes the learner's records from the rejects: the worker's (which name their sender) and the
 * ETL's (which keep the raw line). Rejects are few and small, so every rejects object of the
 * account's lifetime is searched.
 */
export async function eraseFromRejects(options: ErasureStepOptions, erasure: Erasure): Promise<void> {
  for (const day of accountBronzeDays(erasure)) {
    for (const { key } of await options.s3.listObjects(rejectedDayPrefix(day))) {
      const { removed } = await rewriteWithout(options, key, [erasure.username], JSONL);
      if (removed === 0) continue;
      await addToCounts(options.client, erasure.id, { rejected_lines: removed });
      await options.afterObject?.();
    }
  }
}
