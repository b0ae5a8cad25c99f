import type { ClientEvent } from "@growit/contract";
import { parseRetryAfter } from "./backoff.ts";
import type { FetchLike, ResponseLike, TimersLike } from "./env.ts";

export interface Rejected {
  index: number;
  reason: string;
}

/** What became of one request, from the SDK's point of view. */
export type Outcome =
  /** Stored by the server (202): the chunk is done, rejected events included. */
  | { kind: "accepted"; accepted: number; rejected: Rejected[] }
  /** A 4xx other than 429: sending the same chunk again cannot help, so it is dropped. */
  | { kind: "refused"; status: number; error: string }
  /** A network error, a 429 or a 5xx: keep the chunk and retry later. */
  | { kind: "retry"; status: number | null; retryAfterMs: number | undefined; error: string };

export interface PostOptions {
  fetch: FetchLike;
  timers: TimersLike;
  now: () => number;
  /** The SDK's clock as it sends the chunk (see requestBody). */
  sentAt: number;
  timeoutMs: number;
  /** For pagehide: the request outlives the page (body under 64 KiB). */
  keepalive?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A request's body: the events and `sent_at`, the SDK's clock as it sends them. The server moves
 * each ts by how far that clock is off its own, so a wrong clock does not misplace the events.
 */
export const requestBody = (events: readonly ClientEvent[], sentAt: number): string =>
  JSON.stringify({ events, sent_at: new Date(sentAt).toISOString() });

/** POSTs one chunk and classifies the answer; never throws. */
export async function postEvents(
  endpoint: string,
  events: readonly ClientEvent[],
  options: PostOptions,
): Promise<Outcome> {
  const controller = new AbortController();
  const timer = options.timers.setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: requestBody(events, options.sentAt),
      credentials: "same-origin",
      signal: controller.signal,
      ...(options.keepalive ? { keepalive: true } : {}),
    });
    return await classify(response, options.now());
  } catch (error) {
    const message = controller.signal.aborted ? `no answer within ${options.timeoutMs} ms` : String(error);
    return { kind: "retry", status: null, retryAfterMs: undefined, error: message };
  } finally {
    options.timers.clearTimeout(timer);
  }
}

/** Maps an HTTP answer of `POST /api/events` to an outcome. */
export async function classify(response: ResponseLike, now: number): Promise<Outcome> {
  const { status } = response;
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The status decides; the body only explains.
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status >= 200 && status < 300) {
    const accepted = isRecord(body) && typeof body.accepted === "number" ? body.accepted : 0;
    const list = isRecord(body) && Array.isArray(body.rejected) ? body.rejected : [];
    const rejected = list
      .filter(isRecord)
      .map((r) => ({ index: Number(r.index), reason: String(r.reason ?? "rejected") }))
      .filter((r) => Number.isInteger(r.index));
    return { kind: "accepted", accepted, rejected };
  }
  const error = isRecord(body) && typeof body.error === "string" ? body.error : text.slice(0, 200) || `HTTP ${status}`;
  if (status >= 400 && status < 500 && status !== 429) return { kind: "refused", status, error };
  // 429, 5xx, and anything unexpected (a captive portal's redirect, say): try again later.
  return { kind: "retry", status, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now), error };
}

/**
 * Hands one chunk to sendBeacon, which survives the page's end. Returns false when the browser
 * refuses (no sendBeacon, over its quota): the caller then tries a keepalive fetch.
 * The Blob's type makes the request `application/json`, which the worker requires; that is not
 * a CORS-safelisted type, so this only works same-origin, as the endpoint is.
 */
export function beacon(
  sendBeacon: ((url: string, data: Blob) => boolean) | undefined,
  endpoint: string,
  events: readonly ClientEvent[],
  sentAt: number,
): boolean {
  if (!sendBeacon) return false;
  try {
    return sendBeacon(endpoint, new Blob([requestBody(events, sentAt)], { type: "application/json" }));
  } catch {
    return false;
  }
}
