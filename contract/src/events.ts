import { z } from "zod";
import { LIMITS, MAX_EVENT_AGE_MS } from "./limits.ts";
import { uuidv7 } from "./uuid.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a lowercase slug");
const text = (max: number) => z.string().min(1).max(max);
const uuid = z.string().regex(UUID, "must be a UUID");

/** How many courses one recommendation response may name (a category's whole list). */
export const MAX_RECOMMENDED_COURSES = 200;

/**
 * The props an event of any type may carry to tie it to a browser and a visit: `anonymous_id`
 * (one per browser, kept across visits and logins) and `session_id` (a new one after
 * SESSION_IDLE_MS without activity). The SDK sets both on every event; the worker sets them on
 * its own events from the caller's ATTRIBUTION_HEADERS.
 */
export const ATTRIBUTION_PROPS = { anonymous_id: uuid.optional(), session_id: uuid.optional() };
export type Attribution = { anonymous_id?: string; session_id?: string };

/** A browser session ends after this long without an event. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** The request headers by which the SPA tells the worker its attribution ids, for the worker's own events. */
export const ATTRIBUTION_HEADERS = {
  anonymous_id: "x-growit-anonymous-id",
  session_id: "x-growit-session-id",
} as const satisfies Record<keyof Attribution, string>;

/** A type's props: the keys it requires, the attribution ids, and any more (hence loose objects). */
const propsOf = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ ...ATTRIBUTION_PROPS, ...shape });

/**
 * The closed set of event types, each with the props it requires. More keys are
 * allowed (within LIMITS.maxPropsBytes).
 */
export const PROPS_SCHEMAS = {
  page_view: propsOf({ path: text(2048).startsWith("/") }),
  /** `search_id` names the search (the server's event); its results' opens carry it. */
  search_query: propsOf({
    query: text(500),
    results: z.number().int().nonnegative().optional(),
    search_id: uuid.optional(),
  }),
  category_recommendation: propsOf({ category: slug }),
  /** Opened from search results: `search_id` of that search. */
  video_open: propsOf({ category: slug, video_id: text(128), search_id: uuid.optional() }),
  /** Opened from a recommendation list: its `rec_id` and the course's 1-based `position`; from search results: `search_id`. */
  course_open: propsOf({
    category: slug,
    course_id: text(128),
    rec_id: uuid.optional(),
    position: z.number().int().min(1).max(MAX_RECOMMENDED_COURSES).optional(),
    search_id: uuid.optional(),
  }),
  /** One recommendation response: its `rec_id` and the courses it listed, in order. */
  recommendation_request: propsOf({
    category: slug,
    rec_id: uuid,
    course_ids: z.array(text(128)).max(MAX_RECOMMENDED_COURSES),
  }),
  signup: propsOf({}),
  login: propsOf({}),
  logout: propsOf({}),
  // A reason code, never anything the user typed (above all not the password).
  login_failed: propsOf({ reason: z.enum(["unknown_user", "wrong_password", "throttled"]) }),
};

export type EventType = keyof typeof PROPS_SCHEMAS;
export const EVENT_TYPES = Object.keys(PROPS_SCHEMAS) as EventType[];

/** Types only the worker emits; a client sending one is rejected. */
export const SERVER_ONLY_TYPES = [
  "signup",
  "login",
  "login_failed",
  "logout",
  "recommendation_request",
] as const satisfies readonly EventType[];
export type ServerEventType = (typeof SERVER_ONLY_TYPES)[number];
export type ClientEventType = Exclude<EventType, ServerEventType>;

export type EventProps<T extends EventType> = z.input<(typeof PROPS_SCHEMAS)[T]>;
export type EventSource = "web" | "server";

/** One event as stored in bronze: one JSON line each, keys in this order. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  /**
   * When the event happened (ISO 8601, UTC): for a client's event, its `ts` corrected by how far
   * the client's clock was off when it sent the batch (see eventTime); else its creator's `ts`.
   */
  ts: string;
  /** The client's own `ts` as sent (normalized to UTC); only on events a client sent. */
  client_ts?: string;
  /** Set by the worker from the session; null for anonymous events. */
  username: string | null;
  props: EventProps<T>;
  /** When the worker received it (ISO 8601, UTC); its UTC day picks the bronze folder. */
  received_at: string;
  source: EventSource;
}

/** What a client sends for one event: the worker adds username, received_at and source. */
export interface ClientEvent<T extends ClientEventType = ClientEventType> {
  id: string;
  type: T;
  ts: string;
  props: EventProps<T>;
}

export type Verdict = { ok: true; event: EventEnvelope } | { ok: false; reason: string };

/** What a client sends: its events, and optionally its clock's time when it sent them. */
export interface ClientBatch {
  events: ClientEvent[];
  /** The client's clock when it sent the batch (ISO 8601): lets the worker correct a wrong clock. */
  sent_at?: string;
}

export interface Stamp {
  receivedAt: Date;
  username: string | null;
  source: EventSource;
  /** The batch's `sent_at` in ms since the epoch, when it carried a valid one; else null. */
  sentAt: number | null;
}

const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const SERVER_ONLY = new Set<string>(SERVER_ONLY_TYPES);

/** UTF-8 bytes of a string, counted without allocating its encoding (lone surrogates count 3, as TextEncoder's U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);

/** Milliseconds since the epoch of an ISO 8601 timestamp with a time zone, or null when `v` is not one. */
export function parseIsoTimestamp(v: unknown): number | null {
  if (typeof v !== "string" || !ISO_TS.test(v)) return null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : at;
}

/** The value of `count` decimal digits of `text` from `from`, or -1 when one of them is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Milliseconds since the epoch of a timestamp already in `Date#toISOString` form
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`), or null when `v` is not in that form. Every field is
 * range-checked against the calendar, because Date.parse would roll a date like 02-30 or an
 * hour 24 over into a different text: so a non-null result `ms` means exactly
 * `new Date(ms).toISOString() === v`, without paying for the formatting (which costs more than
 * the rest of a bronze line's check).
 */
export function canonicalIsoTimestamp(v: unknown): number | null {
  if (typeof v !== "string" || v.length !== 24) return null;
  if (v[4] !== "-" || v[7] !== "-" || v[10] !== "T" || v[13] !== ":" || v[16] !== ":" || v[19] !== "." || v[23] !== "Z")
    return null;
  const year = digitsAt(v, 0, 4);
  const month = digitsAt(v, 5, 2);
  const day = digitsAt(v, 8, 2);
  const hour = digitsAt(v, 11, 2);
  const minute = digitsAt(v, 14, 2);
  const second = digitsAt(v, 17, 2);
  const millis = digitsAt(v, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) return null;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > monthDays) return null;
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/** UTF-8 bytes of a string written as a JSON string literal by JSON.stringify (quotes and escapes included). */
function jsonStringUtf8Length(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) bytes += code === 0x22 || code === 0x5c ? 2 : 1;
    else if (code < 0x20) bytes += code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff)
      bytes += 6; // a lone surrogate, escaped as \uXXXX
    else bytes += 3;
  }
  return bytes;
}

/**
 * `utf8ByteLength(JSON.stringify(value))` for the values JSON.parse makes (plain objects,
 * arrays, strings, finite numbers, booleans, null), counted without building the text;
 * null for anything else (a toJSON, undefined, a class instance…), where only JSON.stringify can tell.
 * Recursive: callers bound the depth first (nestsDeeperThan).
 */
export function jsonUtf8Length(value: unknown): number | null {
  switch (typeof value) {
    case "string":
      return jsonStringUtf8Length(value);
    case "number":
      return Number.isFinite(value) ? String(value).length : null;
    case "boolean":
      return value ? 4 : 5;
    case "object": {
      if (value === null) return 4;
      if ("toJSON" in value) return null;
      if (Array.isArray(value)) {
        let bytes = 1 + Math.max(value.length, 1); // brackets and commas
        for (const item of value) {
          const length = jsonUtf8Length(item);
          if (length === null) return null;
          bytes += length;
        }
        return bytes;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return null;
      const keys = Object.keys(value);
      let bytes = 1 + Math.max(keys.length, 1); // braces and commas
      for (const key of keys) {
        const length = jsonUtf8Length((value as Record<string, unknown>)[key]);
        if (length === null) return null;
        bytes += jsonStringUtf8Length(key) + 1 + length;
      }
      return bytes;
    }
    default:
      return null;
  }
}

export const isEventType = (v: unknown): v is EventType => typeof v === "string" && Object.hasOwn(PROPS_SCHEMAS, v);
export const isServerOnlyType = (type: EventType): boolean => SERVER_ONLY.has(type);
export const UNKNOWN_TYPE_REASON = `type must be one of ${EVENT_TYPES.join(", ")}`;

/**
 * The time an event happened, by the server's clock: `received − (sent − ts)`, the client's
 * `ts` moved by how far its clock was off when it sent the batch (as Segment's `timestamp` and
 * Snowplow's `derived_tstamp`). Without `sent`, `ts` as it is. An event stamped after its own
 * batch was sent is taken as made at the moment it was received.
 */
export function eventTime(ts: number, received: number, sent: number | null): number {
  return sent === null ? ts : received - Math.max(0, sent - ts);
}

/** Why an event that happened at `at` cannot be accepted when received at `received`, or null. */
export function eventTimeProblem(at: number, received: number): string | null {
  if (received - at > MAX_EVENT_AGE_MS) {
    return `ts is more than ${LIMITS.maxEventAgeDays} days before the event was received (LIMITS.maxEventAgeDays)`;
  }
  if (at - received > LIMITS.maxFutureSkewMs) {
    return `ts is more than ${LIMITS.maxFutureSkewMs / 60_000} minutes after the event was received (LIMITS.maxFutureSkewMs)`;
  }
  return null;
}

/** A lone surrogate: no Unicode scalar value, so no UTF-8 for it, and DuckDB refuses its JSON escape. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `text` is well-formed Unicode (no lone surrogate). */
export const isWellFormedText = (text: string): boolean => !LONE_SURROGATE.test(text);

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "gu");

/** `text` with each lone surrogate replaced by U+FFFD, as TextEncoder encodes it. */
export const toWellFormedText = (text: string): string => text.replace(LONE_SURROGATES, "\uFFFD");

/**
 * Why the JSON value `value` cannot be stored as it was sent, or null: a key or string that is not
 * well-formed Unicode, or a number JSON text cannot carry back (1e400 parses as Infinity and would
 * be written as null). Iterative, like nestsDeeperThan; `path` names where the problem is.
 */
export function jsonTextProblem(value: unknown, path: string): string | null {
  const stack: Array<[unknown, string]> = [[value, path]];
  while (stack.length > 0) {
    const [v, at] = stack.pop() as [unknown, string];
    if (typeof v === "string") {
      if (!isWellFormedText(v)) return `${at}: text must be well-formed Unicode (it holds a lone surrogate)`;
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) return `${at}: number is out of the range JSON can carry`;
    } else if (typeof v === "object" && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if (!isWellFormedText(key)) return `${at}: a key must be well-formed Unicode (one holds a lone surrogate)`;
        stack.push([child, Array.isArray(v) ? `${at}[${key}]` : `${at}.${key}`]);
      }
    }
  }
  return null;
}

/** True when `value` nests objects/arrays deeper than `max`; iterative, so absurd depth cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== "object" || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Why `props` break the contract for `type`, or null when they fit. */
export function propsProblem(type: EventType, props: unknown): string | null {
  if (!isPlainObject(props)) return "props must be a JSON object";
  if (nestsDeeperThan(props, LIMITS.maxPropsDepth)) return `props nest deeper than ${LIMITS.maxPropsDepth} levels`;
  // Size first: the reasons that follow name paths in props, and must stay as bounded as props are.
  const bytes = jsonUtf8Length(props) ?? utf8ByteLength(JSON.stringify(props));
  if (bytes > LIMITS.maxPropsBytes) return `props are ${bytes} bytes, more than ${LIMITS.maxPropsBytes}`;
  const textProblem = jsonTextProblem(props, "props");
  if (textProblem) return textProblem;
  const result = PROPS_SCHEMAS[type].safeParse(props);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const path = ["props", ...(issue?.path ?? [])].join(".");
  return `${path}: ${issue?.message ?? "invalid"}`;
}

/**
 * Checks one event from a client against the contract and stamps it. Props are kept
 * exactly as sent (validated, not rebuilt), so what lands in bronze is what the client wrote.
 */
export function acceptClientEvent(raw: unknown, stamp: Stamp): Verdict {
  if (!isPlainObject(raw)) return { ok: false, reason: "event must be a JSON object" };
  const { id, type } = raw;
  if (!isUuid(id)) return { ok: false, reason: "id must be a UUID" };
  if (!isEventType(type)) return { ok: false, reason: UNKNOWN_TYPE_REASON };
  if (isServerOnlyType(type)) return { ok: false, reason: `type ${type} is emitted by the server only` };
  const clientTs = parseIsoTimestamp(raw.ts);
  if (clientTs === null) return { ok: false, reason: "ts must be an ISO 8601 timestamp with a time zone" };
  const received = stamp.receivedAt.getTime();
  const at = eventTime(clientTs, received, stamp.sentAt);
  const timeProblem = eventTimeProblem(at, received);
  if (timeProblem) return { ok: false, reason: timeProblem };
  const props = raw.props ?? {};
  const problem = propsProblem(type, props);
  if (problem) return { ok: false, reason: problem };
  return {
    ok: true,
    event: {
      id: id.toLowerCase(),
      type,
      ts: new Date(at).toISOString(),
      client_ts: new Date(clientTs).toISOString(),
      username: stamp.username,
      props: props as EventProps<EventType>,
      received_at: stamp.receivedAt.toISOString(),
      source: stamp.source,
    },
  };
}

/** Builds an event the worker itself emits; a props mismatch is a programming error and throws. */
export function serverEvent<T extends EventType>(
  type: T,
  props: EventProps<T>,
  username: string | null,
  now: Date = new Date(),
): EventEnvelope<T> {
  const problem = propsProblem(type, props);
  if (problem) throw new Error(`server event ${type}: ${problem}`);
  const ts = now.toISOString();
  return { id: uuidv7(now.getTime()), type, ts, username, props, received_at: ts, source: "server" };
}
