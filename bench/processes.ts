import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** Children the benchmark started; all are stopped on exit or Ctrl-C. */
const children: ChildProcess[] = [];

export function startLogged(
  command: string,
  args: string[],
  /** `env`, when given, is the child's whole environment (default: this process's). */
  options: { cwd: string; env?: NodeJS.ProcessEnv; log: string },
) {
  mkdirSync(dirname(options.log), { recursive: true });
  const log = createWriteStream(options.log);
  // A process group of its own, so stopping it stops what it started (wrangler's workerd, uvicorn's workers).
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return child;
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
          child.once("exit", () => resolve());
          process.kill(-child.pid, "SIGINT");
          setTimeout(
            () => child.pid !== undefined && child.exitCode === null && process.kill(-child.pid, "SIGKILL"),
            15_000,
          ).unref();
        }),
    ),
  );
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs`, naming the log to read. */
export async function waitForHttp(url: string, timeoutMs: number, log: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
