/**
 * The SDK as the SPA uses it: `track`, `flush`, `stats` on one tracker per page, created on first
 * use. Nothing here touches `window` at import time: SvelteKit imports modules during the build,
 * where there is none, and there every call is a no-op.
 */
import type { Attribution, ClientEventType, EventProps } from "@growit/contract";
import { createTracker, type Tracker, type TrackerStats } from "./tracker.ts";

export type { Tracker, TrackerOptions, TrackerStats } from "./tracker.ts";
export { createTracker };

let instance: Tracker | undefined;

function tracker(): Tracker | undefined {
  if (typeof window === "undefined") return undefined;
  instance ??= createTracker();
  return instance;
}

/** Creates the tracker now, so events left by an earlier visit are sent before the first track(). */
export function start(): void {
  tracker();
}

/** Queues one event for `POST /api/events`. Never throws; wrong types or props do not compile. */
export function track<T extends ClientEventType>(type: T, props: EventProps<T>): void {
  tracker()?.track(type, props);
}

/** Sends what is queued now (from the tab that sends for all tabs). Never rejects. */
export function flush(): Promise<void> {
  return tracker()?.flush() ?? Promise.resolve();
}

/** The attribution ids of activity now, as the events of this browser carry them (none outside a browser). */
export function attribution(): Attribution {
  return tracker()?.attribution() ?? {};
}

export function stats(): TrackerStats {
  return tracker()?.stats() ?? { queued: 0, dropped: 0, rejected: 0, sender: false };
}
