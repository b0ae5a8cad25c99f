import {
  canonicalIsoTimestamp,
  type EventEnvelope,
  type EventProps,
  type EventType,
  eventTimeProblem,
  isEventType,
  isPlainObject,
  isServerOnlyType,
  isUuid,
  isWellFormedText,
  parseIsoTimestamp,
  propsProblem,
  UNKNOWN_TYPE_REASON,
  utf8ByteLength,
} from "./events.ts";

/**
 * A stored bronze line read back: the envelope, and whether the line already has it in
 * its normal form (lower-case id, `ts` and `received_at` as `Date#toISOString`), so that
 * a reader may keep the line's text as it is.
 */
export type BronzeLineVerdict = { ok: true; event: EventEnvelope; canonical: boolean } | { ok: false; reason: string };

const SOURCES = new Set(["web", "server"]);

/**
 * The longest bronze line in UTF-8 bytes, newline not counted. The worker's own lines stay far
 * below it (props within LIMITS.maxPropsBytes, plus the envelope), so a longer line was written by
 * someone else: it is a reject, and a reader may pass over it without ever holding it whole.
 */
export const MAX_BRONZE_LINE_BYTES = 64 * 1024;

/** UTF-8's byte order mark, as it may open a bronze object. */
export const UTF8_BOM: readonly number[] = [0xef, 0xbb, 0xbf];

/**
 * How many bytes a byte order mark takes at the start of `bytes`, an object's first bytes (0 or 3).
 * Opening an object it is an encoding signature, and no part of its first line; anywhere else it is
 * part of a line, which is then no JSON.
 */
export const leadingBomLength = (bytes: Uint8Array): number =>
  UTF8_BOM.every((byte, i) => bytes[i] === byte) ? UTF8_BOM.length : 0;

/** Whether `line` is longer than MAX_BRONZE_LINE_BYTES (counted only when it might be: a UTF-16 unit is at most 3 bytes). */
const overLong = (line: string) =>
  line.length > MAX_BRONZE_LINE_BYTES ||
  (line.length * 3 > MAX_BRONZE_LINE_BYTES && utf8ByteLength(line) > MAX_BRONZE_LINE_BYTES);

/**
 * Parses one line of a `bronze/app/...` object and checks it against the contract, as
 * the worker would have when it stored it: a line failing here is a reject, with the reason.
 * `ts` lies within the horizon before `received_at` (eventTimeProblem), so every event of day D is
 * in the bronze days D - 1 (LIMITS.maxFutureSkewMs) to D + LIMITS.maxEventAgeDays.
 */
export function parseBronzeLine(line: string): BronzeLineVerdict {
  if (overLong(line))
    return { ok: false, reason: `line is longer than ${MAX_BRONZE_LINE_BYTES} bytes (MAX_BRONZE_LINE_BYTES)` };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isPlainObject(raw)) return { ok: false, reason: "event must be a JSON object" };
  const { id, type, username, source } = raw;
  if (!isUuid(id)) return { ok: false, reason: "id must be a UUID" };
  if (!isEventType(type)) return { ok: false, reason: UNKNOWN_TYPE_REASON };
  if (typeof source !== "string" || !SOURCES.has(source)) return { ok: false, reason: "source must be web or server" };
  if (source === "web" && isServerOnlyType(type)) {
    return { ok: false, reason: `type ${type} is emitted by the server only` };
  }
  if (username !== null && (typeof username !== "string" || username === "" || !isWellFormedText(username))) {
    return { ok: false, reason: "username must be a non-empty, well-formed string or null" };
  }
  // Stored lines nearly always carry canonical timestamps: proving that is much cheaper than
  // formatting the parsed instant back to compare.
  const canonicalAt = canonicalIsoTimestamp(raw.ts);
  const at = canonicalAt ?? parseIsoTimestamp(raw.ts);
  if (at === null) return { ok: false, reason: "ts must be an ISO 8601 timestamp with a time zone" };
  const canonicalReceivedAt = canonicalIsoTimestamp(raw.received_at);
  const receivedAt = canonicalReceivedAt ?? parseIsoTimestamp(raw.received_at);
  if (receivedAt === null) return { ok: false, reason: "received_at must be an ISO 8601 timestamp with a time zone" };
  const timeProblem = eventTimeProblem(at, receivedAt);
  if (timeProblem) return { ok: false, reason: timeProblem };
  const hasClientTs = raw.client_ts !== undefined;
  const canonicalClientTs = hasClientTs ? canonicalIsoTimestamp(raw.client_ts) : null;
  const clientTs = hasClientTs ? (canonicalClientTs ?? parseIsoTimestamp(raw.client_ts)) : null;
  if (hasClientTs && clientTs === null) {
    return { ok: false, reason: "client_ts must be an ISO 8601 timestamp with a time zone" };
  }
  const problem = propsProblem(type, raw.props);
  if (problem) return { ok: false, reason: problem };
  const event: EventEnvelope = {
    id: id.toLowerCase(),
    type,
    ts: canonicalAt === null ? new Date(at).toISOString() : (raw.ts as string),
    ...(clientTs === null
      ? {}
      : { client_ts: canonicalClientTs === null ? new Date(clientTs).toISOString() : (raw.client_ts as string) }),
    username,
    props: raw.props as EventProps<EventType>,
    received_at: canonicalReceivedAt === null ? new Date(receivedAt).toISOString() : (raw.received_at as string),
    source: source as EventEnvelope["source"],
  };
  // Extra keys make a line non-canonical too, so that DuckDB never parses anything unchecked.
  const canonical =
    event.id === id &&
    event.ts === raw.ts &&
    event.client_ts === raw.client_ts &&
    event.received_at === raw.received_at &&
    Object.keys(raw).length === Object.keys(event).length;
  return { ok: true, event, canonical };
}
