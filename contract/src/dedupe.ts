/**
 * The dedupe rule, which picks the copy of an event that is kept when its id arrived more than
 * once: the copy received first wins; a tie goes to the copy in the bronze object whose key sorts
 * first, and a tie within one object to the smaller content, field by field, so that every run
 * picks the same winner. The ETL applies it in SQL when it refines bronze into silver; the
 * learner's export applies it to the bronze the ETL has not refined yet.
 */
export const COPY_RANK = [
  "received_at",
  "bronze_object",
  "type",
  "ts",
  "client_ts",
  "user_id",
  "props",
  "source",
] as const;

export type CopyRankField = (typeof COPY_RANK)[number];

/**
 * A copy's rank fields as bronze holds them: timestamps as the worker writes them (one ISO format,
 * so that text order is time order), props as JSON text; null for a field the copy lacks.
 */
export type RankedCopy = Record<CopyRankField, string | null>;

/**
 * Whether text `x` sorts before `y` as SQL's VARCHAR does, by UTF-8 bytes, which is code point
 * order: JavaScript's `<` compares UTF-16 units, which puts U+10000 and above before U+E000–U+FFFF.
 */
function textBefore(x: string, y: string): boolean {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x.charCodeAt(i) !== y.charCodeAt(i)) return (x.codePointAt(i) ?? 0) < (y.codePointAt(i) ?? 0);
  }
  return x.length < y.length;
}

/** Whether copy `a` wins over copy `b` of the same id. A missing field ranks after any value, as in SQL's ascending order. */
export function copyWins(a: RankedCopy, b: RankedCopy): boolean {
  for (const field of COPY_RANK) {
    const x = a[field];
    const y = b[field];
    if (x === y) continue;
    if (x === null) return false;
    if (y === null) return true;
    return textBefore(x, y);
  }
  return false;
}
