// `npm start`'s whole local stack for the end-to-end tests, on a data directory of its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type Started, startStack, stopStack, waitForOpen } from "../stack/src/stack-process.ts";

export class LocalStack {
  readonly dataDir = mkdtempSync(join(tmpdir(), "growit-e2e-"));
  #started: Started | undefined;

  /**
   * A stack of this class, set up before the tests of the file or suite this is called in and torn
   * down (its data removed) after them: fresh data for each, since the tests' own logins and page
   * views are events too.
   */
  static forTests<T extends LocalStack>(this: new () => T): T {
    const stack = new this();
    beforeAll(() => stack.setUp());
    afterAll(() => stack.tearDown());
    return stack;
  }

  /** Starts the stack (again, on the same data, after `stop`) and waits until it serves. */
  async start(): Promise<void> {
    this.#started = startStack(this.dataDir);
    await waitForOpen(this.#started);
  }

  async stop(): Promise<void> {
    if (this.#started) await stopStack(this.#started);
    this.#started = undefined;
  }

  protected async setUp(): Promise<void> {
    await this.start();
  }

  protected async tearDown(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
