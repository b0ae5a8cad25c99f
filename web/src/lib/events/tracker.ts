import type { Attribution, ClientEvent, ClientEventType, EventProps } from "@growit/contract";
import { eventTime, eventTimeProblem, LIMITS } from "@growit/contract";
import { type PluralForms, plural } from "../i18n/plural.ts";
import { attributionAt } from "./attribution.ts";
import { backoffDelay } from "./backoff.ts";
import { chunkEvents, takeChunk } from "./chunk.ts";
import { CONFIG } from "./config.ts";
import { DeliveryRecord } from "./delivery.ts";
import { resolveEnv, type TrackerEnv } from "./env.ts";
import { makeEvent } from "./event.ts";
import { holdLock, withLock } from "./locks.ts";
import { PersistentQueue } from "./queue.ts";
import { beacon, type Outcome, postEvents } from "./transport.ts";

/** The browser's own for everything left out (see env.ts). */
export interface TrackerOptions extends Partial<TrackerEnv> {
  /** Defaults to `/api/events` on the page's origin. */
  endpoint?: string;
}

export interface TrackerStats {
  /** Events waiting to be sent, from every tab of the origin. */
  queued: number;
  /**
   * Events dropped unsent, because the offline queue was full or because they were older than the
   * horizon (LIMITS.maxEventAgeDays) when their turn came: all tabs, persisted across sessions.
   */
  dropped: number;
  /** Events the server refused (a 4xx for their chunk, or a per-index reject), in this tab's session. */
  rejected: number;
  /** Whether this tab is the one that sends (holds the sender lock). */
  sender: boolean;
}

export interface Tracker {
  /** Queues one event, with the browser's attribution ids in its props; never throws. Wrong types or props do not compile. */
  track<T extends ClientEventType>(type: T, props: EventProps<T>): void;
  /** The attribution ids of activity now (which extends the session), for the worker's events of an API call. */
  attribution(): Required<Attribution>;
  /** Sends what is queued now (in the sender tab; elsewhere only stores this tab's events). Never rejects. */
  flush(): Promise<void>;
  stats(): TrackerStats;
  /** Stops timers and listeners and hands the sender role to another tab (tests, hot reload). */
  close(): void;
}

/**
 * Whether the server would refuse `event` as older than the horizon if it were sent now: the
 * server's rule (eventTimeProblem) applied to its ts as corrected by a sent_at of `now` (eventTime).
 */
const pastHorizon = (event: ClientEvent, now: number): boolean =>
  eventTimeProblem(eventTime(Date.parse(event.ts), now, now), now) !== null;

/** Counts in the console's messages, which speak to developers, in English. */
const inEnglish = (n: number, forms: PluralForms) => plural("en", n, forms);
const EVENTS: PluralForms = { one: "{n} event", other: "{n} events" };
const QUEUED_EVENTS: PluralForms = { one: "{n} queued event", other: "{n} queued events" };
const DAYS: PluralForms = { one: "{n} day", other: "{n} days" };

/**
 * The event SDK of one tab. Events go to a localStorage queue shared by the origin's tabs; one
 * tab (the holder of the sender lock) sends them, in batches, with retries and backoff, and on
 * pagehide with sendBeacon while requests go through (a keepalive fetch after one failed).
 *
 * Delivery is at least once: a request the server stored but whose answer never came (a timeout,
 * a tab closed mid-request) is sent again, under the same event ids, so duplicates can be dropped by id.
 *
 * Trade-off: only the sender beacons on pagehide. A closing non-sender tab just leaves its events
 * in the queue, and the sender sends them within the batch delay; if the sender is closing at the
 * same moment, they wait for the next tab or visit. One sender means an event is never sent twice
 * by two tabs, and the beacon quota is not spent by every tab at once.
 */
export function createTracker(options: TrackerOptions = {}): Tracker {
  const { endpoint = CONFIG.endpoint, ...overrides } = options;
  const env = resolveEnv(overrides);
  const queue = new PersistentQueue(env.storage, {
    key: CONFIG.queueKey,
    sentKey: CONFIG.sentKey,
    maxEvents: CONFIG.queueMaxEvents,
    maxBytes: CONFIG.queueMaxBytes,
    console: env.console,
  });
  const delivery = new DeliveryRecord(env.storage, CONFIG.deliveryKey);
  /** Events tracked before this tab started were left by an earlier page: they go at once. */
  const startedAt = env.now();

  /** Tracked here but not yet in the shared queue (waiting for the queue lock). */
  const pending: ClientEvent[] = [];
  /** Ids in a request now: never put in a second one meanwhile. */
  const inFlight = new Set<string>();
  let sender = false;
  let closed = false;
  let rejected = 0;
  let attempt = 0;
  let persistQueued = false;
  let batchTimer: unknown;
  let retryTimer: unknown;
  let flushing: Promise<void> | undefined;
  let flushAgain = false;

  /** Queued events that may go now: not in a request, and not past the horizon (those are dropped, not sent). */
  const sendable = () => {
    const now = env.now();
    return queue.read().events.filter((e) => !inFlight.has(e.id) && !pastHorizon(e, now));
  };

  function clearTimers(): void {
    if (batchTimer !== undefined) env.timers.clearTimeout(batchTimer);
    if (retryTimer !== undefined) env.timers.clearTimeout(retryTimer);
    batchTimer = undefined;
    retryTimer = undefined;
  }

  /** Moves pending events into the shared queue, under the queue lock (read-modify-write). */
  function persist(): Promise<void> {
    if (pending.length === 0) return Promise.resolve();
    return withLock(env.locks, CONFIG.queueLock, () => {
      const batch = pending.splice(0);
      if (batch.length > 0) queue.append(batch);
    }).catch((error: unknown) => {
      env.console.warn("events: the queue lock failed; storing without it:", error);
      persistNow();
    });
  }

  /**
   * Stores pending events at once, without the lock: for pagehide, when the page may be gone
   * before a lock is granted. Racing another tab's append could lose or repeat an event, which
   * beats losing them all. Usually nothing is pending: appends finish within milliseconds.
   */
  function persistNow(): void {
    const batch = pending.splice(0);
    if (batch.length > 0) queue.append(batch);
  }

  /** One lock request for all events tracked in the same task. */
  function persistSoon(): void {
    if (persistQueued) return;
    persistQueued = true;
    void persist().finally(() => {
      persistQueued = false;
      if (pending.length > 0) persistSoon();
      else schedule();
    });
  }

  /** Sender only: sends at once at the batch size, else arms the timer for the oldest unsent event. */
  function schedule(): void {
    if (closed || !sender || flushing || retryTimer !== undefined || !env.isOnline()) return;
    const events = sendable();
    const oldest = events[0];
    if (!oldest) return;
    if (events.length >= CONFIG.batchSize) {
      void flush();
      return;
    }
    if (batchTimer !== undefined) return;
    // Counted from the event's own ts, so events left by a closed tab go at once too.
    const tracked = Date.parse(oldest.ts);
    const age = env.now() - tracked;
    const wait =
      Number.isNaN(age) || tracked < startedAt
        ? 0
        : Math.min(CONFIG.batchDelayMs, Math.max(0, CONFIG.batchDelayMs - age));
    batchTimer = env.timers.setTimeout(() => {
      batchTimer = undefined;
      void flush();
    }, wait);
  }

  function flush(): Promise<void> {
    if (flushing) {
      flushAgain = true;
      return flushing;
    }
    const run = async () => {
      do {
        flushAgain = false;
        await persist();
        if (closed || !sender || !env.isOnline()) return;
        clearTimers();
        await sendQueued();
      } while (flushAgain && retryTimer === undefined);
    };
    flushing = run()
      .catch((error: unknown) => env.console.error("events: flush failed:", error))
      .finally(() => {
        flushing = undefined;
        schedule();
      });
    return flushing;
  }

  /** Sends the queue chunk by chunk; on a retryable failure, stops and backs off. */
  async function sendQueued(): Promise<void> {
    await withLock(env.locks, CONFIG.queueLock, () => {
      queue.compact();
      dropPastHorizon();
    });
    // Each event at most once per flush, even if removing it from storage failed.
    const attempted = new Set<string>();
    while (!closed && sender) {
      const events = sendable().filter((e) => !attempted.has(e.id));
      if (events.length === 0) return;
      const sentAt = env.now();
      const limits = { maxBytes: CONFIG.requestMaxBytes, maxEvents: CONFIG.maxEventsPerRequest };
      const chunk = takeChunk(events, limits, sentAt);
      for (const event of chunk) attempted.add(event.id);
      const outcome = await send(chunk, false, sentAt);
      if (outcome.kind === "retry") {
        backOff(outcome.retryAfterMs);
        return;
      }
    }
  }

  /** Queued events the server would refuse as too old leave the queue unsent, and are counted. Hold the queue lock. */
  function dropPastHorizon(): void {
    const now = env.now();
    const gone = queue.dropExpired((e) => pastHorizon(e, now));
    if (gone > 0) {
      env.console.warn(
        `events: dropped ${inEnglish(gone, QUEUED_EVENTS)} older than ${inEnglish(LIMITS.maxEventAgeDays, DAYS)}, which the server would refuse`,
      );
    }
  }

  async function send(chunk: ClientEvent[], keepalive: boolean, sentAt: number): Promise<Outcome> {
    const ids = chunk.map((e) => e.id);
    for (const id of ids) inFlight.add(id);
    try {
      const outcome = await postEvents(endpoint, chunk, {
        fetch: env.fetch,
        timers: env.timers,
        now: env.now,
        sentAt,
        timeoutMs: CONFIG.requestTimeoutMs,
        keepalive,
      });
      if (outcome.kind === "retry") delivery.failed();
      else delivery.wentThrough();
      if (outcome.kind !== "retry") await settle(chunk, outcome);
      return outcome;
    } finally {
      for (const id of ids) inFlight.delete(id);
    }
  }

  /** The server has answered for this chunk: it leaves the queue, by id, whatever the verdict. */
  async function settle(chunk: ClientEvent[], outcome: Exclude<Outcome, { kind: "retry" }>): Promise<void> {
    attempt = 0;
    if (outcome.kind === "refused") {
      rejected += chunk.length;
      env.console.error(
        `events: the server refused ${inEnglish(chunk.length, EVENTS)} (HTTP ${outcome.status}): ${outcome.error}; dropped`,
      );
    } else if (outcome.rejected.length > 0) {
      rejected += outcome.rejected.length;
      const details = outcome.rejected.map(({ index, reason }) => ({ event: chunk[index], reason }));
      env.console.warn(
        `events: the server rejected ${outcome.rejected.length} of ${inEnglish(chunk.length, EVENTS)}:`,
        details,
      );
    }
    const ids = chunk.map((e) => e.id);
    await withLock(env.locks, CONFIG.queueLock, () => queue.remove(ids));
  }

  function backOff(retryAfterMs: number | undefined): void {
    // Retry-After is a floor, the jittered backoff the usual delay.
    const delay = Math.min(CONFIG.maxRetryAfterMs, Math.max(backoffDelay(attempt, env.random), retryAfterMs ?? 0));
    attempt = Math.min(attempt + 1, 32);
    if (retryTimer !== undefined) env.timers.clearTimeout(retryTimer);
    retryTimer = env.timers.setTimeout(() => {
      retryTimer = undefined;
      void flush();
    }, delay);
  }

  /** visibilitychange to hidden, or pagehide: the page may be gone in a moment. */
  function onHide(): void {
    if (closed) return;
    persistNow();
    // Offline, a beacon would be lost while still counting as handed over: keep the events queued.
    if (!sender || !env.isOnline()) return;
    // After a failed request, a keepalive fetch instead: its events stay queued until it is answered.
    const trustBeacon = !delivery.failing();
    const sentAt = env.now();
    const limits = { maxBytes: CONFIG.beaconMaxBytes, maxEvents: CONFIG.maxEventsPerRequest };
    for (const chunk of chunkEvents(sendable(), limits, sentAt)) {
      if (trustBeacon && beacon(env.sendBeacon, endpoint, chunk, sentAt)) {
        // The browser delivers it now; marked, not removed, since taking the queue lock could outlast the page.
        queue.markSent(chunk.map((e) => e.id));
        continue;
      }
      // No trusted beacon, or the browser refused it (quota): a keepalive fetch, handled like any request if the page lives on.
      void send(chunk, true, sentAt).then((outcome) => {
        if (outcome.kind === "retry") schedule();
      });
    }
  }

  const onVisibility = () => {
    if (env.document?.visibilityState === "hidden") onHide();
  };
  const onOffline = () => delivery.failed();
  const onOnline = () => {
    attempt = 0;
    if (retryTimer !== undefined) env.timers.clearTimeout(retryTimer);
    retryTimer = undefined;
    void flush();
  };
  // Another tab changed the queue: the sender re-checks the batch size and timer.
  const onStorage = (event: Event) => {
    const key = (event as { key?: unknown }).key;
    if (key === CONFIG.queueKey || key === null) schedule();
  };
  env.document?.addEventListener("visibilitychange", onVisibility);
  env.window?.addEventListener("pagehide", onHide);
  env.window?.addEventListener("online", onOnline);
  env.window?.addEventListener("offline", onOffline);
  if (!env.isOnline()) delivery.failed();
  env.window?.addEventListener("storage", onStorage);

  // Held for the tab's lifetime; the browser passes it on when the tab goes. Without Web Locks
  // (or if they fail) this tab is its own sender.
  const releaseSender = holdLock(
    env.locks,
    CONFIG.senderLock,
    () => {
      sender = !closed;
      schedule();
    },
    (error) => {
      env.console.warn("events: the sender lock failed; this tab sends its own events:", error);
      sender = !closed;
      schedule();
    },
  );

  return {
    track(type, props) {
      if (closed) return;
      const now = env.now();
      const made = makeEvent(type, { ...props, ...attributionAt(env.storage, now) }, now);
      if (!made.ok) {
        env.console.error(`events: ${String(type)} not tracked: ${made.problem}`);
        return;
      }
      pending.push(made.event);
      persistSoon();
    },
    flush,
    attribution: () => attributionAt(env.storage, env.now()),
    stats() {
      const { events, dropped } = queue.read();
      return { queued: events.length + pending.length, dropped, rejected, sender };
    },
    close() {
      if (closed) return;
      closed = true;
      sender = false;
      clearTimers();
      env.document?.removeEventListener("visibilitychange", onVisibility);
      env.window?.removeEventListener("pagehide", onHide);
      env.window?.removeEventListener("online", onOnline);
      env.window?.removeEventListener("offline", onOffline);
      env.window?.removeEventListener("storage", onStorage);
      releaseSender();
      void persist();
    },
  };
}
