import { SESSION_IDLE_MS } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { ATTRIBUTION_KEYS, attributionAt } from "./attribution.ts";
import { memoryStorage, type StorageLike } from "./env.ts";

const T0 = Date.parse("2026-05-01T12:00:00.000Z");
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("attributionAt", () => {
  it("keeps one anonymous id per browser and one session id while activity goes on", () => {
    const storage = memoryStorage();
    const first = attributionAt(storage, T0);
    expect(first.anonymous_id).toMatch(UUID_V7);
    expect(first.session_id).toMatch(UUID_V7);
    // Activity every 20 minutes for two hours: the same visit.
    for (let minute = 20; minute <= 120; minute += 20) {
      expect(attributionAt(storage, T0 + minute * 60_000)).toEqual(first);
    }
  });

  it("starts a new session after SESSION_IDLE_MS without activity, keeping the anonymous id", () => {
    const storage = memoryStorage();
    const first = attributionAt(storage, T0);
    expect(attributionAt(storage, T0 + SESSION_IDLE_MS - 1)).toEqual(first);
    const later = attributionAt(storage, T0 + 2 * SESSION_IDLE_MS);
    expect(later.anonymous_id).toBe(first.anonymous_id);
    expect(later.session_id).not.toBe(first.session_id);
  });

  it("keeps the session when the clock is set back", () => {
    const storage = memoryStorage();
    const first = attributionAt(storage, T0);
    expect(attributionAt(storage, T0 - 5 * 60_000)).toEqual(first);
    expect(attributionAt(storage, T0 + 10 * 60_000)).toEqual(first);
  });

  it("starts over from a stored session it cannot read, and never throws when storage refuses writes", () => {
    const storage = memoryStorage();
    storage.setItem(ATTRIBUTION_KEYS.session, "{not json");
    expect(attributionAt(storage, T0).session_id).toMatch(UUID_V7);
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException("quota", "QuotaExceededError");
      },
      removeItem: () => {},
    };
    expect(attributionAt(full, T0)).toEqual({
      anonymous_id: expect.stringMatching(UUID_V7),
      session_id: expect.stringMatching(UUID_V7),
    });
  });
});
