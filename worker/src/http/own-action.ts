import type { HonoRequest } from "hono";

/** Sec-Fetch-Site values of a request the user made on this origin or by hand (typed, bookmarked). */
const OWN = new Set(["same-origin", "none"]);

/**
 * Is this request the caller's own action, fit to be recorded in their history? A link or form
 * on another site makes the browser send `cross-site` (`same-site` from a sibling subdomain),
 * and a top-level navigation still carries the SameSite=Lax session cookie: such a request is
 * answered but not recorded. Without the header the caller is no browser that sends Fetch
 * Metadata (curl, a server, an old browser), and it counts as the caller's own.
 */
export function isOwnAction(req: HonoRequest): boolean {
  const site = req.header("sec-fetch-site");
  return site === undefined || OWN.has(site);
}
