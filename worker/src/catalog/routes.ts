import {
  Categories,
  type Category,
  type Course,
  Recommendations,
  SearchPage,
  uuidv7,
  type Video,
  Videos,
} from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { findAccount } from "../auth/accounts.ts";
import { recordServerEvent } from "../bronze/server-events.ts";
import type { Db } from "../db/client.ts";
import { isOwnAction } from "../http/own-action.ts";
import { json, refused } from "../http/responses.ts";
import { query } from "../http/validate.ts";
import { rankCourses } from "./ranking.ts";

const CATEGORY_ID = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a category id");
const ByCategory = z.object({ category: CATEGORY_ID });
const Search = z.object({
  q: z.string().trim().min(1, "must not be empty").max(200),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

const noCategory = refused("no category of that id");
const categoriesDoc = describeRoute({
  summary: "The catalog's categories",
  tags: ["catalog"],
  responses: { 200: json("every category", Categories) },
});
const recommendationsDoc = describeRoute({
  summary: "A category's courses, ranked for the caller",
  tags: ["catalog"],
  responses: { 200: json("the ranked courses", Recommendations), 400: refused("no valid category"), 404: noCategory },
});
const videosDoc = describeRoute({
  summary: "A category's popular videos",
  tags: ["catalog"],
  responses: { 200: json("the videos", Videos), 400: refused("no valid category"), 404: noCategory },
});
const searchDoc = describeRoute({
  summary: "Courses and videos whose title, provider or channel, or category contains `q`",
  tags: ["catalog"],
  responses: { 200: json("one page of hits", SearchPage), 400: refused("a parameter is invalid") },
});

async function requireCategory(db: Db, id: string): Promise<{ id: string; name: string }> {
  const [category] = await db.query<{ id: string; name: string }>("SELECT id, name FROM app.categories WHERE id = $1", [
    id,
  ]);
  if (!category) throw new HTTPException(404, { message: `no category ${id}` });
  return category;
}

/** `%`, `_` and `\` typed by the user are matched literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export const catalogRoutes = new Hono<AppEnv>()
  .get("/categories", categoriesDoc, async (c) => {
    const categories = await c
      .get("db")
      .query<Category>("SELECT id, name, description, icon, accent FROM app.categories ORDER BY id");
    return c.json({ categories }, 200);
  })
  .get("/recommendations", recommendationsDoc, query(ByCategory), async (c) => {
    const { category: id } = c.req.valid("query");
    const db = c.get("db");
    const category = await requireCategory(db, id);
    const user = c.get("user");
    const [courses, account, rates] = await Promise.all([
      db.query<Course>(
        "SELECT id, category_id, title, provider, duration, level, url FROM app.courses WHERE category_id = $1",
        [id],
      ),
      user ? findAccount(db, user.username) : undefined,
      db.query<{ course_id: string; impressions: number; opens: number }>(
        "SELECT course_id, impressions::float8 AS impressions, opens::float8 AS opens FROM mart.course_open_rates WHERE category = $1",
        [id],
      ),
    ]);
    const openRates = new Map(rates.map((r) => [r.course_id, r]));
    const ranked = rankCourses(courses, id, account?.interests ?? null, openRates);
    // Opens from this list carry rec_id, which ties them to the list as recorded here.
    const recommendations: Recommendations = { category, rec_id: uuidv7(), ...ranked };
    if (isOwnAction(c.req)) {
      const props = {
        category: id,
        rec_id: recommendations.rec_id,
        course_ids: ranked.courses.map((course) => course.id),
      };
      await recordServerEvent(c, "recommendation_request", props, user?.username ?? null);
    }
    return c.json(recommendations, 200);
  })
  .get("/videos", videosDoc, query(ByCategory), async (c) => {
    const { category: id } = c.req.valid("query");
    const db = c.get("db");
    const category = await requireCategory(db, id);
    const videos = await db.query<Video>(
      "SELECT id, category_id, title, channel, url FROM app.videos WHERE category_id = $1 ORDER BY id",
      [id],
    );
    return c.json({ category, videos }, 200);
  })
  .get("/search", searchDoc, query(Search), async (c) => {
    const { q, page, limit } = c.req.valid("query");
    const [found] = await c.get("db").query<Pick<SearchPage, "total" | "results">>(
      `WITH hits AS (
         SELECT 'course' AS kind, c.id, c.title, c.provider AS source, c.category_id, cat.name AS category_name,
                c.level, c.duration, c.url
           FROM app.courses c JOIN app.categories cat ON cat.id = c.category_id
          WHERE c.title ILIKE $1 OR c.provider ILIKE $1 OR cat.name ILIKE $1
         UNION ALL
         SELECT 'video', v.id, v.title, v.channel, v.category_id, cat.name, NULL, NULL, v.url
           FROM app.videos v JOIN app.categories cat ON cat.id = v.category_id
          WHERE v.title ILIKE $1 OR v.channel ILIKE $1 OR cat.name ILIKE $1
       )
       SELECT (SELECT count(*) FROM hits)::int AS total,
              (SELECT coalesce(json_agg(page), '[]') FROM
                 (SELECT * FROM hits ORDER BY kind, title, id LIMIT $2 OFFSET $3) page) AS results`,
      [likePattern(q), limit, (page - 1) * limit],
    );
    const { total = 0, results = [] } = found ?? {};
    const searched: SearchPage = { query: q, search_id: uuidv7(), page, limit, total, results };
    if (isOwnAction(c.req)) {
      const props = { query: q, results: total, search_id: searched.search_id };
      await recordServerEvent(c, "search_query", props, c.get("user")?.username ?? null);
    }
    return c.json(searched, 200);
  });
