/**
 * Everything the SDK touches in the browser, injected so unit tests can pass fakes.
 * Defaults are looked up lazily: SvelteKit imports modules at build time, where there is no window.
 */

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What the SDK reads from a fetch Response. */
export interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface RequestInitLike {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  credentials: "same-origin";
  keepalive?: boolean;
  signal?: AbortSignal;
}

export type FetchLike = (url: string, init: RequestInitLike) => Promise<ResponseLike>;

/** The subset of the Web Locks API in use; `navigator.locks` satisfies it. */
export interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => T): Promise<T>;
}

export interface TimersLike {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface EventTargetLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

export interface DocumentLike extends EventTargetLike {
  readonly visibilityState: string;
}

export type ConsoleLike = Pick<Console, "warn" | "error">;

export interface TrackerEnv {
  storage: StorageLike;
  fetch: FetchLike;
  /** Missing in old browsers: the SDK then uses a keepalive fetch. */
  sendBeacon: ((url: string, data: Blob) => boolean) | undefined;
  /** Missing: this tab is its own sender. */
  locks: LockManagerLike | undefined;
  timers: TimersLike;
  now: () => number;
  random: () => number;
  /** `navigator.onLine`; false reliably means offline, true means maybe online. */
  isOnline: () => boolean;
  /** Receives `pagehide`, `online` and `storage`. */
  window: EventTargetLike | undefined;
  /** Receives `visibilitychange`. */
  document: DocumentLike | undefined;
  console: ConsoleLike;
}

/** An in-memory Storage, for when localStorage is missing or refused (privacy modes, disabled cookies). */
export function memoryStorage(): StorageLike {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** localStorage if it works: merely reading the property throws in some privacy settings. */
function browserStorage(): StorageLike | undefined {
  try {
    const storage = globalThis.localStorage;
    if (!storage) return undefined;
    const probe = "growit.events.probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

type Nav = { onLine?: boolean; sendBeacon?: (url: string, data: Blob) => boolean; locks?: LockManagerLike };
const nav = (): Nav | undefined => (globalThis as { navigator?: Nav }).navigator;

/**
 * Fills in what `overrides` leaves out with the browser's own. A key present with the value
 * `undefined` stays undefined (so a test can say "no sendBeacon"). Browser functions are wrapped,
 * not copied: called as methods of another object they throw "Illegal invocation".
 */
export function resolveEnv(overrides: Partial<TrackerEnv> = {}): TrackerEnv {
  const pick = <K extends keyof TrackerEnv>(key: K, fallback: () => TrackerEnv[K]): TrackerEnv[K] =>
    key in overrides ? (overrides[key] as TrackerEnv[K]) : fallback();
  const shared = "storage" in overrides ? overrides.storage : browserStorage();
  return {
    storage: shared ?? memoryStorage(),
    fetch: pick("fetch", () => (url, init) => globalThis.fetch(url, init)),
    sendBeacon: pick("sendBeacon", () => {
      const n = nav();
      return typeof n?.sendBeacon === "function" ? (url, data) => n.sendBeacon?.(url, data) === true : undefined;
    }),
    // A memory queue is not shared, so a tab using one must send its own events.
    locks: pick("locks", () => (shared ? nav()?.locks : undefined)),
    timers: pick("timers", () => ({
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    })),
    now: pick("now", () => () => Date.now()),
    random: pick("random", () => () => Math.random()),
    isOnline: pick("isOnline", () => () => nav()?.onLine !== false),
    window: pick("window", () => (globalThis as { window?: EventTargetLike }).window),
    document: pick("document", () => (globalThis as { document?: DocumentLike }).document),
    console: pick("console", () => globalThis.console),
  };
}
