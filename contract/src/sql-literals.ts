// SQL literals for the text that queries carry, in DuckDB (the ETL, the dashboard) and Postgres alike.
import { isDay } from "./days.ts";

/** A SQL string literal: single quotes doubled. */
export const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A SQL DATE literal for a `YYYY-MM-DD` day, checked so that no text reaches the SQL unparsed. */
export function sqlDate(day: string): string {
  if (!isDay(day)) throw new Error(`not a day: ${day}`);
  return `DATE '${day}'`;
}
