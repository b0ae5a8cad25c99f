// Child processes of `npm start` (wrangler dev today, the ETL queue worker
// later): started in their own process group so that stopping one also stops
// whatever it spawned (wrangler runs workerd), stopped with SIGTERM and, after
// a grace period, SIGKILL.
import { type ChildProcess, spawn } from "node:child_process";
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

export function startChild(spec: ChildSpec): ManagedChild {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true, // own process group; Ctrl-C is handled by start.ts, which stops us in order
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (error) => resolve(`failed to start: ${error.message}`));
  });
  let stopping: Promise<void> | undefined;
  return {
    spec,
    process: child,
    exited,
    stop: (graceMs = 5000) => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(child, "SIGTERM");
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
