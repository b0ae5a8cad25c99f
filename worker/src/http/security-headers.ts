import { secureHeaders } from "hono/secure-headers";

/**
 * Headers on everything the worker answers (the API: JSON and export files; the SPA's own
 * headers come with its static assets). Nothing here is meant to be framed or to run script.
 */
export const apiSecurityHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  xFrameOptions: "DENY",
  referrerPolicy: "strict-origin-when-cross-origin",
});
