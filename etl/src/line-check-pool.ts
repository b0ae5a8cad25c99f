import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CheckedObject, ObjectToCheck } from "./line-check.ts";

/**
 * Checking lines against the contract is the ETL's CPU-bound part (JSON parsing and schema
 * checks, a few µs a line), so it runs on worker threads, one per core, while the main thread
 * downloads. Objects are handed to the least busy thread; their bytes are moved, not copied.
 */
export class LineCheckPool {
  readonly #threads: Array<{ worker: Worker; busy: number }>;
  readonly #pending = new Map<number, { resolve: (checked: CheckedObject) => void; reject: (error: Error) => void }>();
  #nextId = 0;

  constructor(size = availableParallelism()) {
    this.#threads = Array.from({ length: Math.max(1, size) }, () => {
      const worker = new Worker(new URL("./line-check-thread.mjs", import.meta.url));
      const thread = { worker, busy: 0 };
      worker.on("message", ({ id, checked }: { id: number; checked: CheckedObject }) => {
        thread.busy--;
        this.#pending.get(id)?.resolve(checked);
        this.#pending.delete(id);
      });
      worker.on("error", (error) => {
        for (const { reject } of this.#pending.values())
          reject(new Error(`line check thread failed: ${error.message}`));
        this.#pending.clear();
      });
      return thread;
    });
  }

  check(object: ObjectToCheck): Promise<CheckedObject> {
    const thread = this.#threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#nextId++;
    thread.busy++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, object }, [object.bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map(({ worker }) => worker.terminate()));
  }
}
