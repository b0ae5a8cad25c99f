// One simulated browser: the real event SDK (createTracker) in Node, with an in-memory
// localStorage, no Web Locks (so it is its own sender), no sendBeacon, no window or
// document, and a real fetch to the soak worker that carries this browser's session
// cookie, as a same-origin browser request would. The fetch is wrapped to see every
// request the SDK makes and what became of it.
import type { ClientEventType, EventProps } from "@growit/contract";
import { type FetchLike, memoryStorage, type RequestInitLike } from "../web/src/lib/events/env.ts";
import { createTracker, type Tracker } from "../web/src/lib/events/tracker.ts";

export interface RequestStats {
  /** POSTs the SDK made. */
  requests: number;
  /** POSTs carrying at least one event id this browser had already sent (a retry). */
  retried: number;
  /** Answers by status (202, 503, ...). */
  statuses: Map<number, number>;
  /** Requests that got no HTTP answer (connection refused or reset, timeout). */
  networkErrors: number;
  /** Sum of `accepted` over 202 answers (a resent event counts again). */
  accepted: number;
}

export interface SimulatedBrowser {
  name: string;
  /** null for an anonymous browser. */
  username: string | null;
  tracker: Tracker;
  /** Events handed to track(). */
  tracked: number;
  /** Every event id the SDK put in a request body. */
  sentIds: Set<string>;
  stats: RequestStats;
  /** Queues `n` events of the client types, in one task (like a burst of UI actions). */
  track(n: number): void;
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

async function post(url: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Signs `username` up, then logs in (as a returning learner would); returns the login's session cookie. */
export async function signUpAndLogIn(workerUrl: string, username: string): Promise<string> {
  const password = "soak-test-password";
  const signup = await post(`${workerUrl}/api/auth/signup`, {
    username,
    password,
    full_name: `Soak ${username}`,
    interests: ["ai", "data"],
  });
  if (signup.status !== 201) throw new Error(`signup of ${username}: ${signup.status} ${await signup.text()}`);
  sessionCookie(signup);
  const login = await post(`${workerUrl}/api/auth/login`, { username, password });
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
  const stats: RequestStats = { requests: 0, retried: 0, statuses: new Map(), networkErrors: 0, accepted: 0 };
  const sentIds = new Set<string>();

  const fetchWithCookie: FetchLike = async (url: string, init: RequestInitLike) => {
    stats.requests++;
    const ids = (JSON.parse(init.body) as { events: { id: string }[] }).events.map((e) => e.id);
    if (ids.some((id) => sentIds.has(id))) stats.retried++;
    for (const id of ids) sentIds.add(id);
    const headers = { ...init.headers, ...(options.cookie ? { cookie: options.cookie } : {}) };
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers });
    } catch (error) {
      stats.networkErrors++;
      throw error;
    }
    stats.statuses.set(response.status, (stats.statuses.get(response.status) ?? 0) + 1);
    if (response.status !== 202) return response;
    // Read the answer here to count it, and hand the SDK an equal one.
    const text = await response.text();
    const body = JSON.parse(text) as { accepted?: number };
    stats.accepted += body.accepted ?? 0;
    return new Response(text, { status: response.status, headers: response.headers });
  };

  const tracker = createTracker({
    endpoint: `${options.workerUrl}/api/events`,
    storage: memoryStorage(),
    fetch: fetchWithCookie,
    locks: undefined,
    sendBeacon: undefined,
    window: undefined,
    document: undefined,
    isOnline: () => true,
  });

  const browser: SimulatedBrowser = {
    name: options.name,
    username: options.username,
    tracker,
    tracked: 0,
    sentIds,
    stats,
    track(n) {
      for (let k = 0; k < n; k++) {
        const i = browser.tracked++;
        const type = TYPES[i % TYPES.length] as ClientEventType;
        tracker.track(type, propsFor(type, i));
      }
    },
    close: () => tracker.close(),
  };
  return browser;
}
