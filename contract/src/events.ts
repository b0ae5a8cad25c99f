import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { uuidv7 } from "./uuid.ts";

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a lowercase slug");
const text = (max: number) => z.string().min(1).max(max);

/**
 * The closed set of event types, each with the props it requires. More keys are
 * allowed (within LIMITS.maxPropsBytes), hence loose objects.
 */
export const PROPS_SCHEMAS = {
  page_view: z.looseObject({ path: text(2048).startsWith("/") }),
  search_query: z.looseObject({ query: text(500), results: z.number().int().nonnegative().optional() }),
  category_recommendation: z.looseObject({ category: slug }),
  video_open: z.looseObject({ category: slug, video_id: text(128) }),
  course_open: z.looseObject({ category: slug, course_id: text(128) }),
  recommendation_request: z.looseObject({ category: slug }),
  signup: z.looseObject({}),
  login: z.looseObject({}),
  logout: z.looseObject({}),
  // A reason code, never anything the user typed (above all not the password).
  login_failed: z.looseObject({ reason: z.enum(["unknown_user", "wrong_password", "throttled"]) }),
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
  /** When the event happened, by the clock of whoever created it (ISO 8601, UTC). */
  ts: string;
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

export interface Stamp {
  receivedAt: Date;
  username: string | null;
  source: EventSource;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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

export const isEventType = (v: unknown): v is EventType => typeof v === "string" && Object.hasOwn(PROPS_SCHEMAS, v);
export const isServerOnlyType = (type: EventType): boolean => SERVER_ONLY.has(type);
export const UNKNOWN_TYPE_REASON = `type must be one of ${EVENT_TYPES.join(", ")}`;
export const SKEW_REASON = "ts is more than 24 hours away from the server's clock";

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
  const bytes = utf8ByteLength(JSON.stringify(props));
  if (bytes > LIMITS.maxPropsBytes) return `props are ${bytes} bytes, more than ${LIMITS.maxPropsBytes}`;
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
  const at = parseIsoTimestamp(raw.ts);
  if (at === null) return { ok: false, reason: "ts must be an ISO 8601 timestamp with a time zone" };
  if (Math.abs(at - stamp.receivedAt.getTime()) > LIMITS.maxClockSkewMs) return { ok: false, reason: SKEW_REASON };
  const props = raw.props ?? {};
  const problem = propsProblem(type, props);
  if (problem) return { ok: false, reason: problem };
  return {
    ok: true,
    event: {
      id: id.toLowerCase(),
      type,
      ts: new Date(at).toISOString(),
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
