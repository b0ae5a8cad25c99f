import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { openDb } from "./client.ts";

/** Gives each request `c.var.db`, connecting only if it is used and closing it before the response leaves. */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const db = openDb(c.env);
  c.set("db", db);
  try {
    await next();
  } finally {
    await db.close();
  }
});
