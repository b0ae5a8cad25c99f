import { type ManagedChild, startChild, stopChildren } from "../stack/src/children.ts";

/** Children the benchmark started; all are stopped on exit or Ctrl-C. */
const children: ManagedChild[] = [];

/** Starts `command` with its output in `log` (emptied first); stopAll stops it. */
export function startLogged(
  command: string,
  args: string[],
  /** `env`, when given, is the child's whole environment (default: this process's). */
  options: { cwd: string; env?: NodeJS.ProcessEnv; log: string },
): ManagedChild {
  const child = startChild({
    name: [command, ...args].join(" "),
    command,
    args,
    cwd: options.cwd,
    ...(options.env ? { env: options.env } : {}),
    log: { path: options.log },
    // As Ctrl-C in a terminal would: npm start and uvicorn shut down in order on it.
    stopSignal: "SIGINT",
  });
  children.push(child);
  return child;
}

export const stopAll = (): Promise<void> => stopChildren(children, 15_000);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}
