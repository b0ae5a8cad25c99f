import { ApiFailure, ATTRIBUTION_HEADERS, type Attribution, RetryLater } from "@growit/contract";
import type { AppType } from "@growit/worker/app";
import { type ClientResponse, DetailedError, hc, type InferRequestType, parseResponse } from "hono/client";
import { attribution } from "./events/index.ts";
import { savedAt } from "./offline/saved-at.ts";

// The worker's JSON API, as the SPA sees it: hono/client types each call's input and answer by
// the worker's own routes (AppType), so a changed route fails `npm run check` here.

/**
 * A failed API call: `status` 0 means the API could not be reached at all. `retryAfter` is how
 * many seconds a 429 or 503 asks the caller to wait before trying again.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A read's answer; `savedAt` says when the service worker saved it, if it came from that copy rather than the network. */
export interface Fetched<T> {
  data: T;
  savedAt: Date | undefined;
}

/** The worker records some calls as its own events (a search, a login): they carry this browser's ids. */
function attributionHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(attribution()) as [keyof Attribution, string][]) {
    headers[ATTRIBUTION_HEADERS[key]] = value;
  }
  return headers;
}

const client = hc<AppType>("/", { headers: attributionHeaders, init: { credentials: "same-origin" } });

/** The ApiError of an answer with `status` and `body`: the worker's `{ error, retry_after? }`, or just the status. */
function failure(status: number, body: unknown): ApiError {
  const later = RetryLater.safeParse(body);
  if (later.success) return new ApiError(status, later.data.error, later.data.retry_after);
  const refused = ApiFailure.safeParse(body);
  return new ApiError(status, refused.success ? refused.data.error : `HTTP ${status}`);
}

/** Sends a request and reads its answer, typed by its route; any failure is an ApiError. */
async function call<R extends ClientResponse<unknown>>(send: () => Promise<R>) {
  let response: R;
  try {
    response = await send();
  } catch {
    throw new ApiError(0, "network");
  }
  try {
    return { data: await parseResponse(response), savedAt: savedAt(response.headers) };
  } catch (error) {
    if (error instanceof DetailedError) throw failure(response.status, error.detail?.data);
    throw new ApiError(response.status, `unreadable answer: ${(error as Error).message}`);
  }
}

const send = async <R extends ClientResponse<unknown>>(request: () => Promise<R>) => (await call(request)).data;

/** The JSON body a route takes. */
type Body<Route> = InferRequestType<Route> extends { json: infer T } ? T : never;

export const api = {
  categories: () => call(() => client.api.categories.$get()),
  recommendations: (category: string) => call(() => client.api.recommendations.$get({ query: { category } })),
  videos: (category: string) => call(() => client.api.videos.$get({ query: { category } })),
  search: (q: string, page = 1, limit = 20) =>
    call(() => client.api.search.$get({ query: { q, page: String(page), limit: String(limit) } })),
  me: () => call(() => client.api.me.$get()),
  updateMe: (json: Body<typeof client.api.me.$patch>) => send(() => client.api.me.$patch({ json })),
  deleteMe: (json: Body<typeof client.api.me.$delete>) => send(() => client.api.me.$delete({ json })),
  signup: (json: Body<typeof client.api.auth.signup.$post>) => send(() => client.api.auth.signup.$post({ json })),
  login: (json: Body<typeof client.api.auth.login.$post>) => send(() => client.api.auth.login.$post({ json })),
  logout: () => send(() => client.api.auth.logout.$post()),
  status: () => call(() => client.api.status.$get()),
  manifest: () => call(() => client.api.exports.manifest.$get()),
};
