/**
 * `GET /api/me/export`: a learner's own data as JSON lines, one record a line. The first line is
 * the account, then the learner's events in silver (the silver columns, in event-date order), then
 * their events still only in bronze (the stored envelope), each id once, and last an `end` record
 * with the counts. A download whose last line is not `end` is incomplete: an export that fails
 * after it started writes an `error` record and stops.
 */
import { z } from "zod";
import { Account } from "./api-types.ts";

const timestamp = z.iso.datetime({ offset: true });
const props = z.record(z.string(), z.unknown()).describe("The event's props as a JSON object.");

/** The first line: the account as `GET /api/me` shows it, and when the export was made. */
export const ExportAccountRecord = Account.extend({
  record: z.literal("account"),
  exported_at: timestamp,
}).meta({ id: "ExportAccountRecord" });
export type ExportAccountRecord = z.infer<typeof ExportAccountRecord>;

/** An event the ETL has absorbed: its silver row (SILVER_COLUMNS), with props parsed from its JSON text. */
export const ExportSilverEvent = z
  .object({
    record: z.literal("event"),
    stage: z.literal("silver"),
    id: z.string(),
    type: z.string(),
    ts: timestamp,
    client_ts: timestamp.nullable(),
    event_date: z.iso.date(),
    user_id: z.string(),
    props,
    category: z.string().nullable(),
    query: z.string().nullable(),
    anonymous_id: z.string().nullable(),
    session_id: z.string().nullable(),
    received_at: timestamp,
    source: z.string(),
    bronze_object: z.string().describe("The bronze object the event's winning copy came from."),
  })
  .meta({ id: "ExportSilverEvent" });
export type ExportSilverEvent = z.infer<typeof ExportSilverEvent>;

/** An event the ETL has not absorbed yet: the envelope as stored in bronze, and the object holding it. */
export const ExportBronzeEvent = z
  .object({
    record: z.literal("event"),
    stage: z.literal("bronze"),
    id: z.string(),
    type: z.string(),
    ts: timestamp,
    client_ts: timestamp.optional().describe("Absent for the worker's own events, as in bronze."),
    username: z.string(),
    props,
    received_at: timestamp,
    source: z.string(),
    bronze_object: z.string(),
  })
  .meta({ id: "ExportBronzeEvent" });
export type ExportBronzeEvent = z.infer<typeof ExportBronzeEvent>;

/** The last line of a complete export. */
export const ExportEndRecord = z
  .object({ record: z.literal("end"), events: z.int(), silver: z.int(), bronze: z.int() })
  .meta({ id: "ExportEndRecord" });
export type ExportEndRecord = z.infer<typeof ExportEndRecord>;

/** The last line of an export that failed after it started: the download is incomplete. */
export const ExportErrorRecord = z
  .object({ record: z.literal("error"), error: z.string() })
  .meta({ id: "ExportErrorRecord" });
export type ExportErrorRecord = z.infer<typeof ExportErrorRecord>;

/** Any line of an export. */
export const ExportRecord = z.union([
  ExportAccountRecord,
  ExportSilverEvent,
  ExportBronzeEvent,
  ExportEndRecord,
  ExportErrorRecord,
]);
export type ExportRecord = z.infer<typeof ExportRecord>;
