// One simulated browser: the real event SDK (createTracker) in Node, with an in-memory
// localStorage, no Web Locks (so it is its own sender), no sendBeacon or document, a window that
// only ever fires `online`, a clock and a connection the test moves, and a real fetch to the soak
// worker that carries this browser's session cookie, as a same-origin browser request would. The
// fetch is wrapped to see every request the SDK makes and what became of it.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClientEventType, EventProps } from "@growit/contract";
import { type FetchLike, memoryStorage, type RequestInitLike } from "../web/src/lib/events/env.ts";
import { createTracker, type Tracker } from "../web/src/lib/events/tracker.ts";

export interface RequestStats {
  /** POSTs that reached the network (the SDK's and resend's). */
  requests: number;
  /** POSTs carrying at least one event id this browser had already sent (a retry or a re-send). */
  retried: number;
  /** Answers by status (202, 503, ...). */
  statuses: Map<number, number>;
  /** Requests that got no HTTP answer (connection refused or reset, timeout). */
  networkErrors: number;
  /** Sum of `accepted` over 202 answers (a resent event counts again). */
  accepted: number;
  /** Requests the SDK tried while the browser was offline: they failed without leaving it. */
  offlineFailures: number;
  /** Accepted batches sent again by resend(), and their events. */
  resentBatches: number;
  resentEvents: number;
}

export interface SimulatedBrowser {
  name: string;
  /** null for an anonymous browser. */
  username: string | null;
  tracker: Tracker;
  /** Events handed to track(). */
  tracked: number;
  /** Every event id put in a request body, with the event's client ts (ms since the epoch). */
  sentIds: Map<string, number>;
  /** The ids resend() sent again. */
  resentIds: Set<string>;
  stats: RequestStats;
  /** Queues `n` events of the client types, in one task (like a burst of UI actions). */
  track(n: number): void;
  /**
   * Goes offline with its clock `lagMs` behind: what it tracks until online() is an offline
   * queue from that long ago, as if the learner had used the app offline back then.
   */
  offline(lagMs: number): void;
  /** Back online with the right clock; the SDK hears `online` and sends its queue. */
  online(): void;
  /**
   * Posts the `batches` oldest batches the server accepted and that were not re-sent yet again,
   * same ids and ts, with a sent_at `lagMs` after its clock's now: the same request days later,
   * as a client that lost the answers would send it. Retries 5xx, 429 and network errors until
   * each is accepted or `deadline` (ms since the epoch) passes.
   */
  resend(batches: number, lagMs: number, deadline: number): Promise<void>;
  close(): void;
}

const CATEGORIES = ["ai", "data", "cloud", "web", "security"];

/** The five event types the SPA sends, with valid props; chosen round robin. */
const KINDS: { [T in ClientEventType]: (i: number) => EventProps<T> } = {
  page_view: (i) => ({ path: `/category/${CATEGORIES[i % CATEGORIES.length]}` }),
  search_query: (i) => ({ query: `soak query ${i % 97}` }),
  category_recommendation: (i) => ({ category: CATEGORIES[i % CATEGORIES.length] as string }),
  video_open: (i) => ({ category: CATEGORIES[i % CATEGORIES.length] as string, video_id: `v${i % 13}` }),
  course_open: (i) => ({ category: CATEGORIES[i % CATEGORIES.length] as string, course_id: `c${i % 17}` }),
};
const TYPES = Object.keys(KINDS) as ClientEventType[];
const propsFor = <T extends ClientEventType>(type: T, i: number): EventProps<T> => KINDS[type](i);

/** The session cookie of a response (`name=value`), from its Set-Cookie headers. */
function sessionCookie(response: Response): string {
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0] ?? "")
    .find((pair) => pair.startsWith("growit_session="));
  if (!cookie) throw new Error(`no session cookie in the answer (${response.status})`);
  return cookie;
}

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Signs `username` up, then logs in (as a returning learner would); returns the login's session cookie. */
export async function signUpAndLogIn(workerUrl: string, username: string): Promise<string> {
  const password = "soak-test-password";
  // Each learner comes from an address of its own, as real ones do (wrangler dev takes the one a
  // client claims), so that a large soak stays under the sign-ups allowed per address.
  const from = { "cf-connecting-ip": `10.${[...randomBytes(3)].join(".")}` };
  const signup = await post(
    `${workerUrl}/api/auth/signup`,
    { username, password, full_name: `Soak ${username}`, interests: ["ai", "data"] },
    from,
  );
  if (signup.status !== 201) throw new Error(`signup of ${username}: ${signup.status} ${await signup.text()}`);
  sessionCookie(signup);
  const login = await post(`${workerUrl}/api/auth/login`, { username, password }, from);
  if (login.status !== 200) throw new Error(`login of ${username}: ${login.status} ${await login.text()}`);
  const cookie = sessionCookie(login);
  const me = await fetch(`${workerUrl}/api/me`, { headers: { cookie } });
  if (me.status !== 200) throw new Error(`GET /api/me as ${username}: ${me.status} ${await me.text()}`);
  return cookie;
}

export function simulatedBrowser(options: {
  name: string;
  workerUrl: string;
  username: string | null;
  cookie: string | null;
}): SimulatedBrowser {
  const stats: RequestStats = {
    requests: 0,
    retried: 0,
    statuses: new Map(),
    networkErrors: 0,
    accepted: 0,
    offlineFailures: 0,
    resentBatches: 0,
    resentEvents: 0,
  };
  const sentIds = new Map<string, number>();
  const resentIds = new Set<string>();
  /** The bodies of the SDK's accepted requests not re-sent yet, oldest first. */
  const acceptedBodies: string[] = [];
  const endpoint = `${options.workerUrl}/api/events`;
  /** The page's window: only `online` is ever fired at it. */
  const page = new EventTarget();
  let online = true;
  let clockOffsetMs = 0;
  const now = () => Date.now() + clockOffsetMs;

  /** One POST to the worker, counted; a 202's answer is read here and handed back as an equal one. */
  const post = async (init: RequestInitLike): Promise<Response> => {
    stats.requests++;
    const { events } = JSON.parse(init.body) as { events: { id: string; ts: string }[] };
    if (events.some((e) => sentIds.has(e.id))) stats.retried++;
    for (const e of events) sentIds.set(e.id, Date.parse(e.ts));
    const headers = { ...init.headers, ...(options.cookie ? { cookie: options.cookie } : {}) };
    let response: Response;
    try {
      response = await fetch(endpoint, { ...init, headers });
    } catch (error) {
      stats.networkErrors++;
      throw error;
    }
    stats.statuses.set(response.status, (stats.statuses.get(response.status) ?? 0) + 1);
    if (response.status !== 202) return response;
    const text = await response.text();
    const body = JSON.parse(text) as { accepted?: number };
    stats.accepted += body.accepted ?? 0;
    return new Response(text, { status: response.status, headers: response.headers });
  };

  const sdkFetch: FetchLike = async (_url: string, init: RequestInitLike) => {
    // As a browser's fetch does offline: it fails at once, and the request never leaves.
    if (!online) {
      stats.offlineFailures++;
      throw new TypeError("Failed to fetch (offline)");
    }
    const response = await post(init);
    if (response.status === 202) acceptedBodies.push(init.body);
    return response;
  };

  const tracker = createTracker({
    endpoint,
    storage: memoryStorage(),
    fetch: sdkFetch,
    locks: undefined,
    sendBeacon: undefined,
    window: page,
    document: undefined,
    isOnline: () => online,
    now,
  });

  const resendOne = async (body: string, lagMs: number, deadline: number): Promise<void> => {
    const { events } = JSON.parse(body) as { events: { id: string }[] };
    const init: RequestInitLike = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events, sent_at: new Date(now() + lagMs).toISOString() }),
      credentials: "same-origin",
    };
    for (;;) {
      let last: string;
      try {
        const response = await post({ ...init, signal: AbortSignal.timeout(30_000) });
        const text = await response.text();
        if (response.status === 202) {
          const answer = JSON.parse(text) as { accepted: number; rejected: unknown[] };
          if (answer.rejected.length > 0) throw new Error(`${options.name}: a re-sent batch had rejects: ${text}`);
          stats.resentBatches++;
          stats.resentEvents += answer.accepted;
          for (const e of events) resentIds.add(e.id);
          return;
        }
        if (response.status < 500 && response.status !== 429) {
          throw new Error(`${options.name}: a re-send was refused: ${response.status} ${text}`);
        }
        last = `${response.status} ${text.slice(0, 200)}`;
      } catch (error) {
        // Only a network error is retried: a refusal or a reject ends the test.
        if (!(error instanceof TypeError || (error instanceof DOMException && error.name === "TimeoutError"))) {
          throw error;
        }
        last = String(error);
      }
      if (Date.now() > deadline) throw new Error(`${options.name}: a re-send was not accepted in time (last: ${last})`);
      await sleep(1_000);
    }
  };

  const browser: SimulatedBrowser = {
    name: options.name,
    username: options.username,
    tracker,
    tracked: 0,
    sentIds,
    resentIds,
    stats,
    track(n) {
      for (let k = 0; k < n; k++) {
        const i = browser.tracked++;
        const type = TYPES[i % TYPES.length] as ClientEventType;
        tracker.track(type, propsFor(type, i));
      }
    },
    offline(lagMs) {
      online = false;
      clockOffsetMs = -lagMs;
    },
    online() {
      clockOffsetMs = 0;
      online = true;
      page.dispatchEvent(new Event("online"));
    },
    async resend(batches, lagMs, deadline) {
      for (const body of acceptedBodies.splice(0, batches)) await resendOne(body, lagMs, deadline);
    },
    close: () => tracker.close(),
  };
  return browser;
}
