import type { Queryable } from "@growit/contract";
import type { SilverFile } from "./silver-rows.ts";

interface FileRow {
  key: string;
  bytes: string | number;
  day: string;
}

const SELECT_FILE = "f.object_key AS key, f.bytes, to_char(f.event_date, 'YYYY-MM-DD') AS day";

const byDay = (rows: FileRow[]) => {
  const days = new Map<string, SilverFile[]>();
  for (const row of rows) {
    const file = { key: row.key, bytes: Number(row.bytes) };
    const files = days.get(row.day);
    if (files) files.push(file);
    else days.set(row.day, [file]);
  }
  return days;
};

/**
 * The current silver files of every event date on which `username` has rows, by date in order:
 * mart.learner_daily names those dates (it may name more: days of anonymous events counted as the
 * learner's), so the other days' files are never opened. One statement, so that the files and the
 * days are those of one publication.
 */
export async function learnerSilverDays(db: Queryable, username: string): Promise<Map<string, SilverFile[]>> {
  const rows = await db.query<FileRow>(
    `SELECT ${SELECT_FILE} FROM etl.silver_files f JOIN mart.learner_daily d ON d.event_date = f.event_date
      WHERE d.user_id = $1 ORDER BY f.event_date, f.object_key`,
    [username],
  );
  return byDay(rows);
}

/** The current silver files of one event date, for reading it again after the ETL replaced a file of it. */
export async function currentSilverFiles(db: Queryable, day: string): Promise<SilverFile[]> {
  const rows = await db.query<FileRow>(
    `SELECT ${SELECT_FILE} FROM etl.silver_files f WHERE f.event_date = $1::date ORDER BY f.object_key`,
    [day],
  );
  return byDay(rows).get(day) ?? [];
}
