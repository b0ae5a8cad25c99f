/** How the service worker answers what must be fresh when it can be: the network first, a kept copy when not. */
export interface NetworkFirstOptions {
  /** The network (the worker's `fetch`). */
  fetch: (request: Request) => Promise<Response>;
  /** The copy to answer with when the network fails or is slow; undefined when none was kept. */
  kept: () => Promise<Response | undefined>;
  /** Keeps a successful network answer for later; the page gets the network's own response. */
  keep?: (response: Response) => Promise<void>;
  /** How long the network may take before a kept copy is used (a train's weak signal rarely fails fast). */
  timeoutMs: number;
  /** Keeps the worker alive while `keep` runs (FetchEvent.waitUntil), even when the page was answered long before. */
  waitUntil: (promise: Promise<unknown>) => void;
}

const SLOW = Symbol("slow");

/**
 * The network's answer, any HTTP status included; a kept copy if the network fails or takes longer
 * than `timeoutMs`. With no copy it waits for the network after all, and a failure stays a failure.
 */
export async function networkFirst(request: Request, options: NetworkFirstOptions): Promise<Response> {
  const network = options.fetch(request);
  const { keep } = options;
  // Registered before anyone reads the body, so the clone is taken while it can be.
  if (keep) options.waitUntil(network.then((response) => (response.ok ? keep(response.clone()) : undefined), noop));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<typeof SLOW>((resolve) => {
    timer = setTimeout(() => resolve(SLOW), options.timeoutMs);
  });
  try {
    const first = await Promise.race([network, slow]);
    if (first !== SLOW) return first;
  } catch {
    // Unreachable: the kept copy, if there is one.
  } finally {
    clearTimeout(timer);
  }
  return (await options.kept()) ?? network;
}

function noop(): void {}
