import { ATTRIBUTION_HEADERS, type Attribution, isUuid } from "@growit/contract";
import type { HonoRequest } from "hono";

/**
 * The attribution ids the SPA sent with a request (ATTRIBUTION_HEADERS), for the worker's own
 * events. A header that is not a UUID is left out rather than refused: it only labels the
 * event, and the action it came with (a login, a search) must not fail for it.
 */
export function attributionOf(req: HonoRequest): Attribution {
  const attribution: Attribution = {};
  for (const [key, header] of Object.entries(ATTRIBUTION_HEADERS) as [keyof Attribution, string][]) {
    const value = req.header(header);
    if (isUuid(value)) attribution[key] = value.toLowerCase();
  }
  return attribution;
}
