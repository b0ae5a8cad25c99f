import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";

/**
 * Strict-Transport-Security for answers over HTTPS. Two years, the value the HSTS preload list
 * asks for; without `preload`, which is the owner's commitment for the whole domain to make.
 * web/static/_headers carries the same value for the SPA.
 */
export const HSTS = "max-age=63072000; includeSubDomains";

const headers = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  xFrameOptions: "DENY",
  referrerPolicy: "strict-origin-when-cross-origin",
  // Only over HTTPS (below): `npm start` serves plain HTTP, where it means nothing.
  strictTransportSecurity: false,
});

/**
 * Headers on everything the worker answers (the API: JSON and export files; the SPA's own
 * headers come with its static assets). Nothing here is meant to be framed or to run script.
 */
export const apiSecurityHeaders = createMiddleware(async (c, next) => {
  await headers(c, next);
  if (new URL(c.req.url).protocol === "https:") c.header("Strict-Transport-Security", HSTS);
});
