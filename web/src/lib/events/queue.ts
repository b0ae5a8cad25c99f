import type { ClientEvent } from "@growit/contract";
import type { ConsoleLike, StorageLike } from "./env.ts";

export interface QueueOptions {
  key: string;
  /** Ids already handed to sendBeacon (tombstones); see markSent. */
  sentKey: string;
  maxEvents: number;
  /** The stored value, serialized, in UTF-8 bytes. */
  maxBytes: number;
  console?: ConsoleLike;
}

export interface QueueState {
  events: ClientEvent[];
  /** Events dropped unsent (the queue was full, or they passed the horizon), over all sessions and tabs. */
  dropped: number;
}

const utf8 = new TextEncoder();
const bytesOf = (value: unknown) => utf8.encode(JSON.stringify(value)).length;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Keeps what looks like an event we wrote; anything else in storage is not ours to send. */
const isStoredEvent = (value: unknown): value is ClientEvent =>
  isRecord(value) &&
  typeof value.id === "string" &&
  typeof value.type === "string" &&
  typeof value.ts === "string" &&
  isRecord(value.props);

/**
 * The offline queue in localStorage, shared by every tab of the origin. Writers (append, remove,
 * compact) do read-modify-write, so callers hold the queue lock around them. Reads need no lock.
 */
export class PersistentQueue {
  readonly #storage: StorageLike;
  readonly #options: QueueOptions;

  constructor(storage: StorageLike, options: QueueOptions) {
    this.#storage = storage;
    this.#options = options;
  }

  /** The queued events not yet handed to a beacon, oldest first. */
  read(): QueueState {
    const state = this.#readRaw();
    const sent = this.#readSent();
    return sent.size === 0 ? state : { ...state, events: state.events.filter((e) => !sent.has(e.id)) };
  }

  /** Appends events; beyond the bounds the oldest go first and are counted. Hold the queue lock. */
  append(events: readonly ClientEvent[]): QueueState {
    const state = this.read();
    return this.#write({ events: [...state.events, ...events], dropped: state.dropped });
  }

  /** Removes events by id, so events other tabs appended meanwhile are kept. Hold the queue lock. */
  remove(ids: Iterable<string>): void {
    const gone = new Set(ids);
    const state = this.read();
    const events = state.events.filter((e) => !gone.has(e.id));
    if (events.length !== state.events.length) this.#write({ events, dropped: state.dropped });
  }

  /** Drops the events `expired` picks, counted as dropped; returns how many. Hold the queue lock. */
  dropExpired(expired: (event: ClientEvent) => boolean): number {
    const state = this.read();
    const events = state.events.filter((e) => !expired(e));
    const gone = state.events.length - events.length;
    if (gone > 0) this.#write({ events, dropped: state.dropped + gone });
    return gone;
  }

  /**
   * Marks events as handed to sendBeacon, without the queue lock: it runs in pagehide, when the page
   * may be gone before a lock is granted. It is safe because only the sender tab writes this key,
   * and there is one sender at a time; every read then skips the marked events.
   */
  markSent(ids: Iterable<string>): void {
    const sent = [...this.#readSent(), ...ids];
    // Marks outlive their events only until the next compact(); the bound is a safety net.
    const bounded = sent.slice(-2 * this.#options.maxEvents);
    try {
      this.#storage.setItem(this.#options.sentKey, JSON.stringify(bounded));
    } catch (error) {
      this.#options.console?.warn("events: could not mark beaconed events as sent:", error);
    }
  }

  /** Drops marked events for good and clears the marks. Sender only, under the queue lock. */
  compact(): void {
    if (this.#readSent().size === 0) return;
    this.#write(this.read());
    this.#storage.removeItem(this.#options.sentKey);
  }

  #readRaw(): QueueState {
    const raw = this.#storage.getItem(this.#options.key);
    if (raw === null) return { events: [], dropped: 0 };
    try {
      const value: unknown = JSON.parse(raw);
      if (!isRecord(value) || !Array.isArray(value.events)) throw new Error("not a queue");
      const dropped = typeof value.dropped === "number" && value.dropped >= 0 ? Math.floor(value.dropped) : 0;
      return { events: value.events.filter(isStoredEvent), dropped };
    } catch {
      // A corrupted value (another version, a manual edit, a torn write) is discarded, never fatal.
      return { events: [], dropped: 0 };
    }
  }

  #readSent(): Set<string> {
    try {
      const value: unknown = JSON.parse(this.#storage.getItem(this.#options.sentKey) ?? "[]");
      return new Set(Array.isArray(value) ? value.filter((id) => typeof id === "string") : []);
    } catch {
      return new Set();
    }
  }

  /** Bounds the state, drops the oldest and counts them, and stores it; on a full storage, drops more. */
  #write(state: QueueState): QueueState {
    let bounded = this.#bound(state);
    for (;;) {
      try {
        this.#storage.setItem(
          this.#options.key,
          JSON.stringify({ v: 1, dropped: bounded.dropped, events: bounded.events }),
        );
        return bounded;
      } catch (error) {
        // QuotaExceededError: the origin's storage is full of other data. Halve and try again.
        if (bounded.events.length === 0) {
          this.#options.console?.warn("events: could not store the event queue:", error);
          return bounded;
        }
        const drop = Math.ceil(bounded.events.length / 2);
        bounded = { events: bounded.events.slice(drop), dropped: bounded.dropped + drop };
      }
    }
  }

  #bound(state: QueueState): QueueState {
    const { maxEvents, maxBytes } = this.#options;
    const sizes = state.events.map(bytesOf);
    let total = sizes.reduce((sum, size) => sum + size, 0) + Math.max(0, sizes.length - 1);
    let first = 0;
    let dropped = state.dropped;
    const overhead = () => bytesOf({ v: 1, dropped, events: [] });
    while (first < sizes.length && (sizes.length - first > maxEvents || overhead() + total > maxBytes)) {
      total -= (sizes[first] ?? 0) + (sizes.length - first > 1 ? 1 : 0);
      first++;
      dropped++;
    }
    return first === 0 ? state : { events: state.events.slice(first), dropped };
  }
}
