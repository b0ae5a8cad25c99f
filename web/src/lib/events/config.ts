import { LIMITS } from "@growit/contract";

/** Tuning of the browser event SDK; the server's limits come from the contract. */
export const CONFIG = {
  endpoint: "/api/events",
  /** A batch is sent as soon as this many events wait... */
  batchSize: 20,
  /** ...or this long after the oldest unsent event was tracked. */
  batchDelayMs: 5_000,
  /** Full-jitter exponential backoff: random() * min(cap, base * 2^attempt). */
  backoffBaseMs: 1_000,
  backoffCapMs: 5 * 60_000,
  /** A server asking for more than this (Retry-After) is waited out only this long; a reload retries anyway. */
  maxRetryAfterMs: 60 * 60_000,
  /** A hung request would block the single sender forever. */
  requestTimeoutMs: 30_000,
  /**
   * Beacons and keepalive fetches share a 64 KiB per-document quota of in-flight body bytes,
   * so each chunk must stay under it (and a second chunk may well be refused: it then stays queued).
   */
  beaconMaxBytes: 64 * 1024 - 1,
  requestMaxBytes: LIMITS.maxBodyBytes,
  maxEventsPerRequest: LIMITS.maxEventsPerBatch,
  /** The offline queue: oldest events are dropped (and counted) beyond either bound. */
  queueMaxEvents: 1_000,
  queueMaxBytes: 1024 * 1024,
  /** localStorage keys; bump the version when the stored shape changes. */
  queueKey: "growit.events.v1",
  /** Ids handed to sendBeacon, written by the sender alone (see queue.ts). */
  sentKey: "growit.events.v1.sent",
  /** Present while requests fail (see delivery.ts). */
  deliveryKey: "growit.events.v1.failing",
  /** Held for a tab's lifetime by the one tab that sends. */
  senderLock: "growit-events-sender",
  /** Held briefly around every read-modify-write of the shared queue. */
  queueLock: "growit-events-queue",
} as const;
