import { type ExportBronzeEvent, ExportRecord, S3, S3Error, utcDay } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute, resolver } from "hono-openapi";
import type { AppEnv } from "../app-env.ts";
import { findAccount } from "../auth/accounts.ts";
import { liveUser } from "../auth/session.ts";
import { openDb } from "../db/client.ts";
import { retryLater } from "../http/errors.ts";
import { exportLimit } from "../http/rate-limit.ts";
import { later, refused } from "../http/responses.ts";
import { logError, requestFields } from "../log.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";
import { pendingBronzeEvents } from "./bronze-pending.ts";
import { ExportIncomplete, exportRecords } from "./export-records.ts";
import { ndjsonStream } from "./ndjson-stream.ts";
import { currentSilverFiles, learnerSilverDays } from "./silver-files.ts";
import type { SilverFile } from "./silver-rows.ts";

const NDJSON = "application/x-ndjson";

const exportDoc = describeRoute({
  summary: "Downloads the signed-in account's own data: the account and every event of theirs, as JSON lines",
  description:
    "One record a line (ExportRecord): the account first, then the events in silver by event date, then those " +
    "the ETL has not absorbed yet (from bronze), each id once, and last `end` with the counts. An export that " +
    "fails after it started ends with an `error` record instead, and the body breaks off: without `end`, the " +
    "download is incomplete.",
  tags: ["account"],
  responses: {
    200: {
      description: "the export, streamed",
      headers: {
        "Content-Disposition": {
          description: 'attachment; filename="growit-<username>-<YYYY-MM-DD>.jsonl"',
          schema: { type: "string" as const },
        },
      },
      content: { [NDJSON]: { schema: resolver(ExportRecord, { options: { io: "output" } }) } },
    },
    401: refused("no live session, or the account no longer exists"),
    429: later("too many exports from this account"),
    503: later("S3 or Postgres is unavailable"),
  },
});

/** Runs `done` once `records` ends, however it ends (finished, failed, or the download cancelled). */
async function* finally_<T>(records: AsyncGenerator<T>, done: () => Promise<void>): AsyncGenerator<T> {
  try {
    yield* records;
  } finally {
    await done();
  }
}

/**
 * `GET /api/me/export`: the caller's own data as a download of JSON lines that streams, so that
 * memory stays flat however many events a learner has. What could fail fast (the account, the
 * bronze backlog, the list of silver files) is read before the answer starts, so S3 or Postgres
 * down is a 503; the silver files are read as the download is pulled.
 */
export const meExportRoute = new Hono<AppEnv>().get("/", exportDoc, async (c) => {
  const { username } = await liveUser(c);
  const limited = await exportLimit(c, username);
  if (limited) return limited;
  const db = c.get("db");
  const s3 = new S3(s3ConfigFromEnv(c.env));
  const now = new Date();
  const account = await findAccount(db, username);
  if (!account) throw new HTTPException(401, { message: "this account no longer exists" });
  let pending: Map<string, ExportBronzeEvent>;
  let silverDays: Map<string, SilverFile[]>;
  try {
    // Bronze before silver: an object the ETL absorbs in between is then in the silver files listed
    // after it (its events found in both, and the bronze copies dropped), never in neither.
    pending = await pendingBronzeEvents(s3, db, username, now);
    silverDays = await learnerSilverDays(db, username);
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    logError("export storage failed", error, { ...requestFields(c), username });
    return retryLater(c, "storage is unavailable; try again shortly");
  }

  // The request's database handle closes when the handler returns; the stream has its own.
  const streamDb = openDb(c.env);
  const records = exportRecords({
    s3,
    username,
    account: { record: "account", ...account, exported_at: now.toISOString() },
    pending,
    silverDays,
    relist: (day) => currentSilverFiles(streamDb, day),
  });
  const fields = { ...requestFields(c), username };
  const body = ndjsonStream(
    finally_(records, () => streamDb.close()),
    (error) => {
      logError("export failed after it started", error, fields);
      return error instanceof ExportIncomplete
        ? error.message
        : "storage or the database failed during the export; download it again";
    },
  );
  return new Response(body, {
    headers: {
      "content-type": NDJSON,
      "content-disposition": `attachment; filename="growit-${username}-${utcDay(now)}.jsonl"`,
      // A person's own data: no cache keeps it.
      "cache-control": "no-store",
    },
  });
});
