// The dedupe rule: for one id, the copy with the earliest received_at wins; ties go to the smaller
// bronze object key. Remaining ties (one object holding an id twice with the same received_at) go
// to the smaller copy by content, so that every run picks the same winner.

/** The columns a copy carries besides id and its object. */
export const COPY_FIELDS = ["type", "ts", "client_ts", "user_id", "props", "received_at", "source"] as const;

/** A copy's rank as a struct, compared field by field: received_at, then object_order, then the content. */
const WINNER_KEY = `{${["received_at", "object_order", ...COPY_FIELDS.filter((f) => f !== "received_at")]
  .map((f) => `${f}: ${f}`)
  .join(", ")}}`;

/**
 * SQL selecting one row per id from `copies` (a relation with `id`, COPY_FIELDS and
 * `object_order`, a value that sorts as the copy's bronze object key does): the winning copy's
 * fields and object_order, plus `copies`, how many copies the id had.
 */
export function dedupeSql(copies: string): string {
  return `SELECT id, ${[...COPY_FIELDS, "object_order"].map((f) => `winner.${f} AS ${f}`).join(", ")}, copies
FROM (
  SELECT id, min(${WINNER_KEY}) AS winner, count(*) AS copies
  FROM ${copies}
  GROUP BY id
)`;
}

/**
 * SQL selecting the `copy_row` of each id's winning copy, by the same rule, from `copies` (as for
 * dedupeSql, plus `copy_row`, a number naming each copy): for removing the losers where they are.
 */
export function winningRowsSql(copies: string): string {
  return `SELECT arg_min(copy_row, ${WINNER_KEY}) AS copy_row FROM ${copies} GROUP BY id`;
}
