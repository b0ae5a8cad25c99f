// Child processes of `npm start` (wrangler dev, the ETL queue worker), the soak's stack and the
// benchmarks: started in their own process group so that stopping one also stops whatever it
// spawned (wrangler runs workerd, npm its script), stopped with a signal and, after a grace
// period, SIGKILL. A group left running when this process exits is killed with it.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { Readable } from "node:stream";

/** What `streams` (a child's stdout and/or stderr) have written so far, as one string. */
export function collectOutput(...streams: Array<Readable | null>): () => string {
  let out = "";
  for (const stream of streams) {
    stream?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
  }
  return () => out;
}

export interface ChildSpec {
  /** Short name used in messages, e.g. "wrangler". */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A file that takes its stdout and stderr, emptied first unless `append`; without it they are this process's. */
  log?: { path: string; append?: boolean };
  /** What asks the group to stop before the grace period's SIGKILL (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

export interface ManagedChild {
  spec: ChildSpec;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** The log file opened for the child to write itself, so that all it wrote is there once it exits. */
function openLog(log: NonNullable<ChildSpec["log"]>): number {
  mkdirSync(dirname(log.path), { recursive: true });
  return openSync(log.path, log.append ? "a" : "w");
}

export function startChild(spec: ChildSpec): ManagedChild {
  const log = spec.log ? openLog(spec.log) : "inherit";
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ["ignore", log, log],
    detached: true, // own process group; Ctrl-C is handled by whoever started it, which stops it in order
  });
  if (typeof log === "number") closeSync(log);
  const killWithUs = () => signalGroup(child, "SIGKILL");
  process.once("exit", killWithUs);
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      process.off("exit", killWithUs);
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", (error) => {
      process.off("exit", killWithUs);
      resolve(`failed to start: ${error.message}`);
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    spec,
    process: child,
    exited,
    stop: (graceMs = 5000) => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(child, spec.stopSignal ?? "SIGTERM");
        const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
        // Leave nothing of the group behind (e.g. workerd under wrangler).
        signalGroup(child, "SIGKILL");
      })();
      return stopping;
    },
  };
}

/** Stops children in reverse start order. */
export async function stopChildren(children: ManagedChild[], graceMs?: number): Promise<void> {
  for (const child of [...children].reverse()) await child.stop(graceMs);
}

/** Null when `url` answers 2xx within `timeoutMs`, else what it answered (or why it did not). */
async function problemOf(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return response.ok ? null : `${response.status} ${body.slice(0, 300)}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** True when `url` answers 2xx now (within 2 s). */
export const answers = async (url: string): Promise<boolean> => (await problemOf(url, 2_000)) === null;

export interface WaitOptions {
  timeoutMs: number;
  /** The children that serve `url`: one exiting ends the wait at once. */
  children?: ManagedChild[];
  /** More for the error, e.g. where the server's log is. */
  describe?: () => string;
}

/** Polls `url` until it answers 2xx; throws with its last answer when `timeoutMs` passes first. */
export async function waitForOk(url: string, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const more = () => (options.describe ? `\n${options.describe()}` : "");
  let exited: string | undefined;
  for (const child of options.children ?? []) {
    void child.exited.then((code) => {
      exited ??= `${child.spec.name} exited (${code})`;
    });
  }
  for (;;) {
    if (exited) throw new Error(`${exited} before ${url} answered${more()}`);
    const problem = await problemOf(url, 5_000);
    if (problem === null) return;
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer 2xx within ${options.timeoutMs} ms (last: ${problem})${more()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
