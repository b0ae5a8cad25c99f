import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { eventsRoute } from "./events/route.ts";
import { healthRoute } from "./health/route.ts";
import { errorResponse } from "./http/errors.ts";

export const app = new Hono<AppEnv>()
  .route("/api/events", eventsRoute)
  .route("/api/health", healthRoute)
  .notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404))
  .onError(errorResponse);
