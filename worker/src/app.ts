import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { authRoutes } from "./auth/routes.ts";
import { sameOrigin } from "./auth/same-origin.ts";
import { session } from "./auth/session.ts";
import { catalogRoutes } from "./catalog/routes.ts";
import { database } from "./db/middleware.ts";
import { eventsRoute } from "./events/route.ts";
import { exportsRoute } from "./exports/route.ts";
import { healthRoute } from "./health/route.ts";
import { errorResponse } from "./http/errors.ts";
import { apiSecurityHeaders } from "./http/security-headers.ts";
import { meRoutes } from "./me/routes.ts";
import { openApiRoute } from "./openapi/route.ts";
import { statusRoute } from "./pipeline/status.ts";

const api = new Hono<AppEnv>()
  .use(apiSecurityHeaders)
  .use("/api/*", sameOrigin, database, session)
  .route("/api/events", eventsRoute)
  .route("/api/health", healthRoute)
  .route("/api/auth", authRoutes)
  .route("/api/me", meRoutes)
  .route("/api/status", statusRoute)
  .route("/api/exports", exportsRoute)
  .route("/api", catalogRoutes);

/** The worker's app: the API, its OpenAPI document (of every route, its own included) and its error answers. */
export const app = api
  .route("/api/openapi.json", openApiRoute(api))
  .notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404))
  .onError(errorResponse);

/** The API's routes with their inputs and answers, for hono/client (`hc<AppType>`) in the SPA. */
export type AppType = typeof app;
