import type {
  ExportAccountRecord,
  ExportBronzeEvent,
  ExportEndRecord,
  ExportRecord,
  ExportSilverEvent,
  S3,
} from "@growit/contract";
import { ObjectGone } from "../storage/s3-range-file.ts";
import { openLearnerSilverFile, type SilverFile, type SilverRow } from "./silver-rows.ts";

/** How often an event date is read from the file list before the export gives up on it. */
export const DAY_ATTEMPTS = 3;

/** The export cannot be finished as one consistent download: its error record says why. */
export class ExportIncomplete extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportIncomplete";
  }
}

/** What an export is made of, gathered before its answer starts (so that a failure there is a 503). */
export interface ExportSources {
  s3: S3;
  username: string;
  account: ExportAccountRecord;
  /** The learner's silver files by event date, in date order (learnerSilverDays). */
  silverDays: Map<string, SilverFile[]>;
  /** The learner's events in unabsorbed bronze, by id (pendingBronzeEvents); emptied of those silver holds. */
  pending: Map<string, ExportBronzeEvent>;
  /** The current files of an event date, once a listed one is gone (currentSilverFiles). */
  relist(day: string): Promise<SilverFile[]>;
}

const silverEvent = (row: SilverRow): ExportSilverEvent =>
  ({ record: "event", stage: "silver", ...row, props: JSON.parse(row.props ?? "{}") }) as ExportSilverEvent;

/**
 * The learner's rows of one event date. Each file of the date is opened (its footer read) before
 * any row goes out, so a file the ETL replaced since the listing is found while the date can
 * still be read again whole from the current list (and the rows the ETL moved into the new file
 * are read from there). A file gone after some of the date's rows went out cannot be made good
 * without the ids already sent: that ends the export as incomplete.
 */
async function* dayRows(sources: ExportSources, day: string, listed: SilverFile[]): AsyncGenerator<SilverRow> {
  let files = listed;
  for (let attempt = 1; ; attempt++) {
    let sent = false;
    try {
      const opened = [];
      for (const file of files) opened.push(await openLearnerSilverFile(sources.s3, file, sources.username));
      for (const file of opened) {
        for await (const rows of file.rows()) {
          sent = true;
          yield* rows;
        }
      }
      return;
    } catch (error) {
      if (!(error instanceof ObjectGone)) throw error;
      if (sent) {
        throw new ExportIncomplete(
          `the ETL replaced silver file ${error.key} (${day}) while it was being read; export again`,
        );
      }
      if (attempt === DAY_ATTEMPTS) {
        throw new ExportIncomplete(`the silver files of ${day} disappeared ${attempt} times while being read`);
      }
      files = await sources.relist(day);
    }
  }
}

/**
 * The records of an export, in order: the account, the learner's silver events date by date,
 * their events only in bronze (those silver does not hold), and the end record with the counts.
 * Silver ids are unique (the ETL's dedupe), so only the bronze ones need remembering.
 */
export async function* exportRecords(sources: ExportSources): AsyncGenerator<ExportRecord> {
  yield sources.account;
  let silver = 0;
  for (const [day, files] of sources.silverDays) {
    for await (const row of dayRows(sources, day, files)) {
      if (row.id) sources.pending.delete(row.id);
      silver++;
      yield silverEvent(row);
    }
  }
  for (const event of sources.pending.values()) yield event;
  const bronze = sources.pending.size;
  const end: ExportEndRecord = { record: "end", events: silver + bronze, silver, bronze };
  yield end;
}
