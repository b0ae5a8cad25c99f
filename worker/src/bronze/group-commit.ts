export interface GroupCommitOptions {
  /** A batch this large (in bytes) is flushed at once, even while other flushes are in flight. */
  maxBatchBytes: number;
  /** Flushes in flight at once before new arrivals wait to be grouped. */
  maxInFlight: number;
  /** The longest a request waits for a flush slot; past it, its batch flushes anyway. */
  maxWaitMs: number;
  /** How often a waiting request looks at its batch. */
  pollMs: number;
  /**
   * A flush still pending after this long fails its requests and frees its slot, so that a flush
   * that never settles (its leader's request was cancelled and took its I/O along) holds neither.
   */
  flushTimeoutMs: number;
}

/**
 * Keeps a flush running when the request that started it goes away: the Workers runtime's
 * `waitUntil`, so that a cancelled leader's flush still answers the requests grouped with it.
 */
export type KeepAlive = (flush: Promise<void>) => void;

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = {
  maxBatchBytes: 4 * 1024 * 1024,
  maxInFlight: 1,
  maxWaitMs: 25,
  pollMs: 2,
  flushTimeoutMs: 15_000,
};

interface Batch<T> {
  items: T[];
  bytes: number;
  openedAt: number;
  flushStartedAt: number;
  state: "open" | "flushing" | "stored" | "failed";
  error?: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Group commit: concurrent requests add their items to one open batch, and one of them
 * (the first to find the batch due) flushes it for all. Each `commit()` resolves only
 * once the flush that carries its item has succeeded, and rejects if it failed.
 *
 * Waiters poll the shared batch on timers of their own. They cannot be woken by the
 * flushing request instead: workerd runs a promise's continuation in the context of the
 * request that resolved it, so a woken request would touch its own body and response
 * from another request's context and fail; and a request whose only pending work is
 * another request's I/O is cancelled as hung.
 */
export class GroupCommit<T> {
  #open: Batch<T> | null = null;
  #inFlight = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
    private readonly keepAlive?: KeepAlive,
  ) {}

  async commit(item: T, bytes: number): Promise<void> {
    const batch = this.#join(item, bytes);
    for (;;) {
      if (batch.state === "open" && this.#due(batch)) await this.#lead(batch);
      if (batch.state === "stored") return;
      if (batch.state === "failed") throw batch.error;
      const open = batch.state === "open";
      const limit = open ? this.options.maxWaitMs : this.options.flushTimeoutMs;
      const waited = Date.now() - (open ? batch.openedAt : batch.flushStartedAt);
      if (!open && waited > limit) {
        this.#settle(
          batch,
          "failed",
          new Error(`group commit: flush of ${batch.items.length} requests did not finish in ${limit} ms`),
        );
        continue;
      }
      await sleep(Math.min(this.options.pollMs, limit - waited + 1));
    }
  }

  #join(item: T, bytes: number): Batch<T> {
    if (!this.#open) {
      this.#open = { items: [], bytes: 0, openedAt: Date.now(), flushStartedAt: 0, state: "open" };
    }
    const batch = this.#open;
    batch.items.push(item);
    batch.bytes += bytes;
    return batch;
  }

  #due(batch: Batch<T>): boolean {
    return (
      this.#inFlight < this.options.maxInFlight ||
      batch.bytes >= this.options.maxBatchBytes ||
      Date.now() - batch.openedAt >= this.options.maxWaitMs
    );
  }

  /** Starts the flush of `batch` and waits for it, at most flushTimeoutMs (commit() then gives up on it). */
  async #lead(batch: Batch<T>): Promise<void> {
    const flushed = this.#start(batch);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, this.options.flushTimeoutMs + 1);
    });
    await Promise.race([flushed, timeout]);
    if (timer !== null) clearTimeout(timer);
  }

  /**
   * Starts the flush of `batch`. When it ends, the batch that filled meanwhile is started at once,
   * rather than when one of its requests next looks: the store is never left idle while requests
   * wait. Only the batches' states cross requests; each flush's I/O stays in the context that
   * started it, kept alive there by `keepAlive`.
   */
  #start(batch: Batch<T>): Promise<void> {
    if (this.#open === batch) this.#open = null;
    batch.state = "flushing";
    batch.flushStartedAt = Date.now();
    this.#inFlight++;
    const flushed = this.flush(batch.items).then(
      () => this.#settle(batch, "stored"),
      (error: unknown) => this.#settle(batch, "failed", error),
    );
    this.keepAlive?.(flushed);
    return flushed;
  }

  /** Ends a flush once: one given up on frees its slot then, and changes nothing when it settles later. */
  #settle(batch: Batch<T>, state: "stored" | "failed", error?: unknown): void {
    if (batch.state !== "flushing") return;
    batch.state = state;
    batch.error = error;
    this.#inFlight--;
    const next = this.#open;
    if (next && this.#due(next)) void this.#start(next);
  }
}
