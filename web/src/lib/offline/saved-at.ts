/**
 * The mark the service worker puts on the catalog answers it keeps: when it saved them. An answer
 * that carries it came from that copy, not from the network, so the page can say how old it is.
 */
export const SAVED_AT_HEADER = "x-growit-saved-at";

/** `response` as it is kept: the same status, headers and body, marked with when it was saved. */
export function markSaved(response: Response, at: Date): Response {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT_HEADER, at.toISOString());
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** When the answer with these headers was saved; undefined for an answer straight from the network. */
export function savedAt(headers: Pick<Headers, "get">): Date | undefined {
  const value = headers.get(SAVED_AT_HEADER);
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
