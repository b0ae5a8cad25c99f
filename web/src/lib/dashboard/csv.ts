import type { QueryResult } from "./result.ts";

/** RFC 4180: a field with a quote, comma, line break or edge spaces is quoted, its quotes doubled. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole result as CSV (CRLF line ends, a header row), built in chunks so that large results stay cheap. */
export function resultCsv(result: QueryResult): Blob {
  const lines = [result.columns.map((column) => csvField(column.name)).join(",")];
  for (let row = 0; row < result.rowCount; row++) {
    lines.push(result.columns.map((_, column) => csvField(result.cell(row, column))).join(","));
  }
  return new Blob([lines.join("\r\n"), "\r\n"], { type: "text/csv;charset=utf-8" });
}
