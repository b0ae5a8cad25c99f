// Is a local TCP port free? Used by `npm start` before it binds anything, so a
// second start fails early with a message naming the port.
import { createServer } from "node:net";

export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

export interface PortUse {
  port: number;
  what: string;
}

/** The ports of `wanted` that are already taken (in order). */
export async function busyPorts(wanted: PortUse[], host = "127.0.0.1"): Promise<PortUse[]> {
  const busy: PortUse[] = [];
  for (const use of wanted) {
    if (!(await isPortFree(use.port, host))) busy.push(use);
  }
  return busy;
}

export function portInUseMessage(use: PortUse): string {
  return `port ${use.port} (${use.what}) is in use (another npm start?): stop it or free the port`;
}

/** Resolves once `port` is free again, or rejects after `timeoutMs`. */
export async function waitForPortFree(port: number, timeoutMs = 10_000, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortFree(port, host))) {
    if (Date.now() > deadline) throw new Error(`port ${port} still in use after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
