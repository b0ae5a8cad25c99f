import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { MAX_CHECKED_OBJECT_BYTES, type WrittenObject } from "./line-check.ts";
import type { CheckReply, CheckRequest, DownloadedFile } from "./line-check-thread.ts";

/**
 * Checking lines against the contract is the ETL's CPU-bound part (JSON parsing and schema
 * checks, a few µs a line), so it runs on worker threads, one per core, while the main thread
 * downloads. Objects are handed to the least busy thread as the files they were downloaded to,
 * which the thread replaces by a file of only the usable lines.
 */
export class LineCheckPool {
  readonly #threads: Array<{ worker: Worker; busy: number }>;
  readonly #pending = new Map<number, { resolve: (written: WrittenObject) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  readonly #maxCheckedBytes: number;

  constructor(options: { size?: number; maxCheckedBytes?: number | undefined } = {}) {
    const { size = availableParallelism(), maxCheckedBytes = MAX_CHECKED_OBJECT_BYTES } = options;
    this.#maxCheckedBytes = maxCheckedBytes;
    this.#threads = Array.from({ length: Math.max(1, size) }, () => {
      const worker = new Worker(new URL("./line-check-thread.mjs", import.meta.url));
      const thread = { worker, busy: 0 };
      worker.on("message", (reply: CheckReply) => {
        thread.busy--;
        const pending = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        if ("error" in reply) pending?.reject(new Error(`line check failed: ${reply.error}`));
        else pending?.resolve(reply.written);
      });
      worker.on("error", (error) => {
        for (const { reject } of this.#pending.values())
          reject(new Error(`line check thread failed: ${error.message}`));
        this.#pending.clear();
      });
      return thread;
    });
  }

  /** Checks the object downloaded to `file`, leaving a file of only its usable lines (none when there are none). */
  check(object: CheckRequest["object"], file: DownloadedFile): Promise<WrittenObject> {
    const thread = this.#threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#nextId++;
    thread.busy++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: CheckRequest = { id, object, file, maxBytes: this.#maxCheckedBytes };
      thread.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map(({ worker }) => worker.terminate()));
  }
}
