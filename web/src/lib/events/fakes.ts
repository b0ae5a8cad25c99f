/**
 * Test helpers only (imported by *.test.ts): faithful-enough fakes of the browser surface
 * the SDK uses, so multi-tab behaviour can be tested in Node.
 */
import type { ClientEvent } from "@growit/contract";
import { type Mock, vi } from "vitest";
import type { DocumentLike, FetchLike, LockManagerLike, RequestInitLike, ResponseLike, StorageLike } from "./env.ts";
import { createTracker, type Tracker, type TrackerOptions } from "./tracker.ts";

/**
 * The Web Locks API for one origin, shared by the "tabs" of a test: exclusive locks only,
 * waiters granted in request order, `ifAvailable` (callback gets null when the lock is taken),
 * callbacks invoked asynchronously, and the lock released when the callback's promise settles.
 */
export class FakeLockManager implements LockManagerLike {
  readonly #held = new Set<string>();
  readonly #waiting = new Map<string, Array<() => void>>();

  request<T>(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => T): Promise<T> {
    const queue = this.#waiting.get(name) ?? [];
    if (options.ifAvailable && (this.#held.has(name) || queue.length > 0)) {
      return Promise.resolve().then(() => callback(null));
    }
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        this.#held.add(name);
        let result: Promise<T>;
        try {
          result = Promise.resolve(callback({ name, mode: "exclusive" }));
        } catch (error) {
          result = Promise.reject(error);
        }
        // As in browsers: the lock is released first, then the request's promise settles.
        result
          .finally(() => {
            this.#held.delete(name);
            this.#grantNext(name);
          })
          .then(resolve, reject);
      });
      this.#waiting.set(name, queue);
      if (!this.#held.has(name) && queue.length === 1) this.#grantNext(name);
    });
  }

  /** Names of the locks held now, for assertions. */
  held(): string[] {
    return [...this.#held];
  }

  /** How many requests wait for `name`. */
  waiting(name: string): number {
    return this.#waiting.get(name)?.length ?? 0;
  }

  #grantNext(name: string): void {
    const queue = this.#waiting.get(name);
    const next = queue?.shift();
    if (!next) return;
    this.#held.add(name); // Taken now, so a request made before the microtask runs must wait.
    queueMicrotask(next);
  }
}

/** An EventTarget with a settable visibilityState, standing in for `document`. */
export class FakeDocument extends EventTarget implements DocumentLike {
  visibilityState: "visible" | "hidden" = "visible";

  hide(): void {
    this.visibilityState = "hidden";
    this.dispatchEvent(new Event("visibilitychange"));
  }

  show(): void {
    this.visibilityState = "visible";
    this.dispatchEvent(new Event("visibilitychange"));
  }
}

/**
 * One origin's localStorage shared by several tabs. Like the real one, a change fires a
 * `storage` event (asynchronously) at every other tab's window, not at the tab that made it.
 */
export class SharedStorage {
  readonly items = new Map<string, string>();
  readonly #windows = new Set<EventTarget>();

  /** The Storage as seen from a tab whose window is `window`. */
  tab(window: EventTarget): StorageLike {
    this.#windows.add(window);
    const notify = (key: string) => {
      for (const other of this.#windows) {
        if (other !== window) queueMicrotask(() => other.dispatchEvent(Object.assign(new Event("storage"), { key })));
      }
    };
    return {
      getItem: (key) => this.items.get(key) ?? null,
      setItem: (key, value) => {
        this.items.set(key, String(value));
        notify(key);
      },
      removeItem: (key) => {
        this.items.delete(key);
        notify(key);
      },
    };
  }

  /** Stops events to a closed tab's window. */
  close(window: EventTarget): void {
    this.#windows.delete(window);
  }
}

export interface FakeRequest {
  /** Which tab sent it (see FakeServer.fetchAs). */
  tab: string;
  /** Date.now() when it was sent (fake timers move it). */
  at: number;
  url: string;
  init: RequestInitLike;
  events: ClientEvent[];
  /** The body's sent_at, as sent. */
  sentAt: unknown;
  bytes: number;
}

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "network-error";

export function response(status: number, body?: unknown, headers: Record<string, string> = {}): ResponseLike {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    headers: { get: (name) => lower.get(name.toLowerCase()) ?? null },
    text: async () => (body === undefined ? "" : JSON.stringify(body)),
  };
}

/**
 * A fake `POST /api/events`: records every request and answers from a script of replies
 * (then 202 accepting everything). `hold()` makes the next requests wait until `releaseAll()`.
 */
export class FakeServer {
  readonly requests: FakeRequest[] = [];
  readonly #replies: Reply[] = [];
  #holding = false;
  readonly #held: Array<() => void> = [];

  readonly fetch: FetchLike = (url, init) => this.fetchAs("tab")(url, init);

  /** A fetch that records requests as coming from `tab`. */
  fetchAs =
    (tab: string): FetchLike =>
    async (url, init) => {
      const { events, sent_at: sentAt } = JSON.parse(init.body) as { events: ClientEvent[]; sent_at?: unknown };
      const bytes = new TextEncoder().encode(init.body).length;
      this.requests.push({ tab, at: Date.now(), url, init, events, sentAt, bytes });
      if (this.#holding) await new Promise<void>((resolve) => this.#held.push(resolve));
      const reply = this.#replies.shift() ?? { status: 202, body: { accepted: events.length, rejected: [] } };
      if (reply === "network-error") throw new TypeError("Failed to fetch");
      return response(reply.status, reply.body, reply.headers);
    };

  reply(...replies: Reply[]): this {
    this.#replies.push(...replies);
    return this;
  }

  hold(): void {
    this.#holding = true;
  }

  releaseAll(): void {
    this.#holding = false;
    for (const resolve of this.#held.splice(0)) resolve();
  }

  /** Ids of all events sent, in order, with repeats. */
  sentIds(): string[] {
    return this.requests.flatMap((r) => r.events.map((e) => e.id));
  }
}

/** Reads a Blob handed to sendBeacon. */
export async function blobBody(blob: Blob): Promise<{ events: ClientEvent[]; sent_at?: unknown }> {
  return JSON.parse(await blob.text());
}

/** The events of a Blob handed to sendBeacon. */
export async function blobEvents(blob: Blob): Promise<ClientEvent[]> {
  return (await blobBody(blob)).events;
}

export interface FakeTab {
  name: string;
  tracker: Tracker;
  window: EventTarget;
  document: FakeDocument;
  /** Blobs handed to sendBeacon; set `beaconResult` to make it refuse. */
  beacons: Blob[];
  beaconResult: boolean;
  online: boolean;
  console: { warn: Mock<(...args: unknown[]) => void>; error: Mock<(...args: unknown[]) => void> };
  /** The tab goes away: the browser drops its listeners and releases its locks. */
  close(): void;
}

/**
 * One browser profile for one origin: tabs share localStorage, Web Locks and the server.
 * Timers, clock and random come from the (fake) globals at call time.
 */
export class FakeBrowser {
  readonly storage = new SharedStorage();
  readonly locks = new FakeLockManager();
  readonly server = new FakeServer();
  random = () => 0.5;

  openTab(name: string, overrides: TrackerOptions = {}): FakeTab {
    const window = new EventTarget();
    const document = new FakeDocument();
    const tab: FakeTab = {
      name,
      window,
      document,
      beacons: [],
      beaconResult: true,
      online: true,
      console: { warn: vi.fn(), error: vi.fn() },
      tracker: undefined as unknown as Tracker,
      close: () => {
        tab.tracker.close();
        this.storage.close(window);
      },
    };
    tab.tracker = createTracker({
      storage: this.storage.tab(window),
      locks: this.locks,
      fetch: this.server.fetchAs(name),
      sendBeacon: (_url, data) => {
        if (!tab.beaconResult) return false;
        tab.beacons.push(data);
        return true;
      },
      timers: {
        setTimeout: (callback, ms) => setTimeout(callback, ms),
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      now: () => Date.now(),
      random: () => this.random(),
      isOnline: () => tab.online,
      window,
      document,
      console: tab.console,
      ...overrides,
    });
    return tab;
  }
}

/** Lets every pending promise callback and lock grant run (a real macrotask; fake timers leave setImmediate alone). */
export async function drain(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
