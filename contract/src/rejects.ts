import { nestsDeeperThan, toWellFormedText, utf8ByteLength } from "./events.ts";

/** One line of `bronze/_rejected/...`: what was refused, why, and where it came from. */
export interface RejectRecord {
  /** Well-formed, as every text here: see rejectRecord. */
  reason: string;
  /** When the refusal happened (ISO 8601, UTC). */
  rejected_at: string;
  /** `worker` for `POST /api/events`, `etl` for bronze lines the ETL could not use. */
  stage: "worker" | "etl";
  /** Worker: the event's index in the request. */
  index?: number;
  /** Worker: the signed-in learner who sent it, so that erasing their data finds it. */
  username?: string;
  /** ETL: the bronze object and 1-based line the reject came from. */
  object?: string;
  line?: number;
  /**
   * The refused value as received (for the ETL the raw line, decoded with U+FFFD for its bytes when
   * it is not UTF-8), as rejectRecord keeps it: with each lone surrogate replaced by U+FFFD, since
   * DuckDB refuses the `\ud800` JSON.stringify would write for one; null when it nests too deep to be
   * kept safely; and only the start of its text, as a string, when that text is longer than
   * REJECTED_VALUE_BYTES (see `truncated`).
   */
  event: unknown;
  /** Set when `event` is only the first REJECTED_VALUE_BYTES of the value's text (a string's own, else its JSON). */
  truncated?: true;
  /** With `truncated`: the UTF-8 bytes of the value's whole text. */
  bytes?: number;
}

/** How much of a refused value's text a reject keeps, in UTF-8 bytes, so that huge values cannot flood the rejects. */
export const REJECTED_VALUE_BYTES = 16 * 1024;

/** Values nesting deeper than this are not kept: serializing them could overflow the stack. */
const KEEPABLE_DEPTH = 64;

const encoder = new TextEncoder();

/**
 * A reject as stored: `fields`, with the reason made well-formed (it may quote what was refused),
 * and the refused JSON value `value` kept as RejectRecord#event says: itself, made well-formed,
 * when its text (a string's own, else its JSON) is at most `keepBytes`; else the longest start of
 * that text that fits, with the text's whole size.
 */
export function rejectRecord(
  fields: Omit<RejectRecord, "event" | "truncated" | "bytes">,
  value: unknown,
  keepBytes = REJECTED_VALUE_BYTES,
): RejectRecord {
  return { ...fields, reason: toWellFormedText(fields.reason), ...kept(value, keepBytes) };
}

/**
 * Builds the rejects of one request with rejectRecord, keeping REJECTED_VALUE_BYTES of refused
 * text across all of them: each value whole while what is left allows, else the start that fits
 * (nothing once it is spent), marked truncated with its whole size. So a request of junk events
 * stores that much of them, whatever the size of its body.
 */
export class RejectBudget {
  #left = REJECTED_VALUE_BYTES;

  record(fields: Omit<RejectRecord, "event" | "truncated" | "bytes">, value: unknown): RejectRecord {
    const record = rejectRecord(fields, value, this.#left);
    const { event } = record;
    if (event !== null) this.#left -= utf8ByteLength(typeof event === "string" ? event : JSON.stringify(event));
    return record;
  }
}

function kept(value: unknown, limit: number): Pick<RejectRecord, "event" | "truncated" | "bytes"> {
  if (nestsDeeperThan(value, KEEPABLE_DEPTH)) return { event: null };
  const text = typeof value === "string" ? value : JSON.stringify(value);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most values are known to fit without counting.
  if (text.length * 3 > limit) {
    const bytes = utf8ByteLength(text);
    if (bytes > limit) {
      // encodeInto stops before a character that does not fit whole, so no surrogate pair is cut.
      const { read } = encoder.encodeInto(text, new Uint8Array(limit));
      return { event: toWellFormedText(text.slice(0, read)), truncated: true, bytes };
    }
  }
  return { event: wellFormed(value) };
}

/** The JSON value `value` with each lone surrogate in its strings and keys replaced by U+FFFD. Recursive: callers bound the depth. */
function wellFormed(value: unknown): unknown {
  if (typeof value === "string") return toWellFormedText(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (typeof value !== "object" || value === null) return value;
  // fromEntries defines own properties, so a `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [toWellFormedText(key), wellFormed(child)]));
}
