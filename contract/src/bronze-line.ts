import {
  canonicalIsoTimestamp,
  type EventEnvelope,
  type EventProps,
  type EventType,
  isEventType,
  isPlainObject,
  isServerOnlyType,
  isUuid,
  parseIsoTimestamp,
  propsProblem,
  SKEW_REASON,
  UNKNOWN_TYPE_REASON,
} from "./events.ts";
import { LIMITS } from "./limits.ts";

/**
 * A stored bronze line read back: the envelope, and whether the line already has it in
 * its normal form (lower-case id, `ts` and `received_at` as `Date#toISOString`), so that
 * a reader may keep the line's text as it is.
 */
export type BronzeLineVerdict = { ok: true; event: EventEnvelope; canonical: boolean } | { ok: false; reason: string };

const SOURCES = new Set(["web", "server"]);

/**
 * Parses one line of a `bronze/app/...` object and checks it against the contract, as
 * the worker would have when it stored it: a line failing here is a reject, with the reason.
 * The `ts` to `received_at` distance is bounded by LIMITS.maxClockSkewMs, which is what lets
 * the ETL find every event of day D in the bronze days D-1, D and D+1.
 */
export function parseBronzeLine(line: string): BronzeLineVerdict {
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
  if (username !== null && (typeof username !== "string" || username === "")) {
    return { ok: false, reason: "username must be a non-empty string or null" };
  }
  // Stored lines nearly always carry canonical timestamps: proving that is much cheaper than
  // formatting the parsed instant back to compare.
  const canonicalAt = canonicalIsoTimestamp(raw.ts);
  const at = canonicalAt ?? parseIsoTimestamp(raw.ts);
  if (at === null) return { ok: false, reason: "ts must be an ISO 8601 timestamp with a time zone" };
  const canonicalReceivedAt = canonicalIsoTimestamp(raw.received_at);
  const receivedAt = canonicalReceivedAt ?? parseIsoTimestamp(raw.received_at);
  if (receivedAt === null) return { ok: false, reason: "received_at must be an ISO 8601 timestamp with a time zone" };
  if (Math.abs(at - receivedAt) > LIMITS.maxClockSkewMs) return { ok: false, reason: SKEW_REASON };
  const problem = propsProblem(type, raw.props);
  if (problem) return { ok: false, reason: problem };
  const event: EventEnvelope = {
    id: id.toLowerCase(),
    type,
    ts: canonicalAt === null ? new Date(at).toISOString() : (raw.ts as string),
    username,
    props: raw.props as EventProps<EventType>,
    received_at: canonicalReceivedAt === null ? new Date(receivedAt).toISOString() : (raw.received_at as string),
    source: source as EventEnvelope["source"],
  };
  const canonical = event.id === id && event.ts === raw.ts && event.received_at === raw.received_at;
  return { ok: true, event, canonical };
}
