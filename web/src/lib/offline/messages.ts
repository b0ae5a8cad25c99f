/**
 * What the page and its service worker say to each other: the page asks a worker which build it
 * is (to tell a newer build from its own), and tells a waiting worker to take over.
 */
export type WorkerMessage = { type: "version" } | { type: "skip-waiting" };

/** A service worker as the page holds it; the DOM's ServiceWorker satisfies it. */
export interface WorkerLike {
  postMessage(message: WorkerMessage, transfer: Transferable[]): void;
}

export function isWorkerMessage(data: unknown): data is WorkerMessage {
  const type = (data as { type?: unknown } | null)?.type;
  return type === "version" || type === "skip-waiting";
}

/** The build version of `worker`, which answers on the port it is handed. */
export function askVersion(worker: WorkerLike): Promise<string> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = (event: MessageEvent) => {
      port1.close();
      resolve(String(event.data));
    };
    worker.postMessage({ type: "version" }, [port2]);
  });
}

/** Lets a waiting worker take over now rather than when every tab of the old build has closed. */
export function skipWaiting(worker: WorkerLike): void {
  worker.postMessage({ type: "skip-waiting" }, []);
}
