// The dedupe rule (COPY_RANK in the contract) in SQL, over copies whose bronze object is a number
// that sorts as the object's key does (`object_order`).
import { COPY_RANK, type CopyRankField } from "@growit/contract";

/** The columns a copy carries besides id and its object. */
export const COPY_FIELDS = COPY_RANK.filter(
  (field): field is Exclude<CopyRankField, "bronze_object"> => field !== "bronze_object",
);

/** A copy's rank as a struct, compared field by field (a NULL field ranks after any value, as copyWins has it). */
const WINNER_KEY = `{${COPY_RANK.map((f) => (f === "bronze_object" ? "object_order" : f))
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
