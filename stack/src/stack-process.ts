// Runs `npm start`'s orchestrator as a child process, for tests that need the whole
// local stack on its fixed addresses (the start test, the browser end-to-end tests).
import { type ChildProcess, spawn } from "node:child_process";
import { collectOutput } from "./children.ts";
import { REPO_ROOT, WORKER } from "./local.ts";

export interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** The settings that would point `npm start` at outside services instead of its local ones. */
const OUTSIDE_SERVICES = [
  "DATABASE_URL",
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_REGION",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
];

/** The environment for a local-mode stack with its data under `dataDir`: no outside setting leaks in. */
export function localStackEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GROWIT_DATA_DIR: dataDir };
  for (const key of OUTSIDE_SERVICES) delete env[key];
  return env;
}

/**
 * Starts the stack with its data under `dataDir` and every service on the local defaults. Node
 * with tsx's loader rather than the tsx command: that one passes a signal on and SIGKILLs its child
 * when the child does not report it within 30 ms (a busy moment), so stopStack would leave the
 * services running and their ports taken.
 */
export function startStack(dataDir: string): Started {
  const env = localStackEnv(dataDir);
  const child = spawn(process.execPath, ["--import", "tsx", "stack/src/start.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collectOutput(child.stdout, child.stderr);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exit };
}

export async function waitForOpen(started: Started, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void started.exit.then(() => {
    exited = true;
  });
  while (!started.output().includes(`open      ${WORKER.url}`)) {
    if (exited) throw new Error(`npm start exited before it was ready:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stopStack(started: Started): Promise<number | null> {
  started.child.kill("SIGINT");
  return started.exit;
}
