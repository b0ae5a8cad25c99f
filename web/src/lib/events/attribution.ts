import { type Attribution, SESSION_IDLE_MS, uuidv7 } from "@growit/contract";
import type { StorageLike } from "./env.ts";

/** localStorage keys: shared by the origin's tabs, so that they count as one browser and one visit. */
export const ATTRIBUTION_KEYS = {
  anonymousId: "growit.anonymous_id",
  session: "growit.session.v1",
} as const;

interface StoredSession {
  id: string;
  /** The last activity (an event tracked or an API call), ms since the epoch. */
  at: number;
}

/** Writes, or leaves the ids unstored: a full storage must not stop tracking (the ids are then per call). */
function write(storage: StorageLike, key: string, value: string): void {
  try {
    storage.setItem(key, value);
  } catch {
    // Storage full or refused.
  }
}

function readSession(storage: StorageLike): StoredSession | null {
  try {
    const stored = JSON.parse(storage.getItem(ATTRIBUTION_KEYS.session) ?? "null") as StoredSession | null;
    return stored && typeof stored.id === "string" && typeof stored.at === "number" ? stored : null;
  } catch {
    return null;
  }
}

/**
 * The attribution ids of activity at `now`: the browser's anonymous id (made once, then kept
 * across visits and logins) and the visit's session id, new after SESSION_IDLE_MS without
 * activity; the activity itself extends the session. Where localStorage is unusable the SDK
 * passes its in-memory storage, and the ids live as long as the page.
 */
export function attributionAt(storage: StorageLike, now: number): Required<Attribution> {
  let anonymousId = storage.getItem(ATTRIBUTION_KEYS.anonymousId);
  if (!anonymousId) {
    anonymousId = uuidv7(now);
    write(storage, ATTRIBUTION_KEYS.anonymousId, anonymousId);
  }
  const previous = readSession(storage);
  // A clock set back keeps the session rather than starting one per event.
  const current = previous && now - previous.at < SESSION_IDLE_MS ? previous.id : uuidv7(now);
  write(storage, ATTRIBUTION_KEYS.session, JSON.stringify({ id: current, at: Math.max(now, previous?.at ?? now) }));
  return { anonymous_id: anonymousId, session_id: current };
}
