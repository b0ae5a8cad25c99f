import { ATTRIBUTION_HEADERS, type Course, type Recommendations, type S3, type SearchPage } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, bronzeEvents, testEnv, withDb } from "../../test/fixtures.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("catalog"));
});

const json = async <T>(response: Response | Promise<Response>) => (await response).json() as Promise<T>;
const levels = (courses: Course[]) => courses.map((c) => c.level);

describe("catalog", () => {
  it("lists at least 8 categories with their look", async () => {
    const { categories } = await json<{ categories: Array<Record<string, string>> }>(
      new Browser(env).request("/api/categories"),
    );
    expect(categories.length).toBeGreaterThanOrEqual(8);
    for (const category of categories) {
      expect(category).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        description: expect.any(String),
        icon: expect.any(String),
        accent: expect.stringMatching(/^#[0-9A-Fa-f]{6}$/),
      });
    }
    expect(categories.map((c) => c.id)).toEqual(
      expect.arrayContaining(["ai", "data", "cloud", "programming", "design", "business", "languages", "finance"]),
    );
  });

  it("recommends beginner courses first to anonymous callers and steps up for interested learners", async () => {
    const anonymous = await json<Recommendations>(new Browser(env).request("/api/recommendations?category=data"));
    expect(anonymous.category.id).toBe("data");
    expect(anonymous.courses.length).toBeGreaterThanOrEqual(6);
    expect(anonymous.personalized).toBe(false);
    expect(levels(anonymous.courses)).toEqual(
      [...levels(anonymous.courses)].sort(
        (a, b) =>
          ["beginner", "intermediate", "advanced"].indexOf(a) - ["beginner", "intermediate", "advanced"].indexOf(b),
      ),
    );

    const learner = new Browser(env);
    const username = `c${crypto.randomUUID().slice(0, 8)}`;
    await learner.request("/api/auth/signup", {
      json: { username, password: "0123456789", full_name: "박지수", interests: ["data"] },
    });
    const mine = await json<Recommendations>(learner.request("/api/recommendations?category=data"));
    expect(mine.personalized).toBe(true);
    expect(mine.courses[0]?.level).toBe("intermediate");
    expect(mine.courses.at(-1)?.level).toBe("beginner");

    // Each list is recorded under its rec_id with the courses in the order shown.
    expect(anonymous.rec_id).not.toBe(mine.rec_id);
    const events = (await bronzeEvents(s3)).filter((e) => e.type === "recommendation_request");
    const recorded = (list: Recommendations) => ({
      category: "data",
      rec_id: list.rec_id,
      course_ids: list.courses.map((c) => c.id),
    });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ username: null, props: recorded(anonymous), source: "server" }),
        expect.objectContaining({ username, props: recorded(mine), source: "server" }),
      ]),
    );
  });

  it("moves up a course learners opened more from earlier lists, after each ETL run's rates", async () => {
    const before = await json<Recommendations>(new Browser(env).request("/api/recommendations?category=cloud"));
    const beginners = before.courses.filter((c) => c.level === "beginner");
    const last = beginners.at(-1);
    if (!last || beginners.length < 2) throw new Error("the catalog needs two beginner cloud courses");
    await withDb(env, (db) =>
      db.query(
        `INSERT INTO mart.course_open_rates (category, course_id, impressions, opens) VALUES ('cloud', $1, 200, 120)
         ON CONFLICT (category, course_id) DO UPDATE SET impressions = 200, opens = 120`,
        [last.id],
      ),
    );
    try {
      const after = await json<Recommendations>(new Browser(env).request("/api/recommendations?category=cloud"));
      expect(after.courses[0]?.id).toBe(last.id);
      expect(after.courses.map((c) => c.id).sort()).toEqual(before.courses.map((c) => c.id).sort());
    } finally {
      await withDb(env, (db) => db.query("DELETE FROM mart.course_open_rates WHERE category = 'cloud'"));
    }
  });

  it("puts the caller's attribution ids on its events, leaving out any that is not a UUID", async () => {
    const anonymousId = crypto.randomUUID();
    const sessionId = crypto.randomUUID();
    const list = await json<Recommendations>(
      new Browser(env).request("/api/recommendations?category=ai", {
        headers: { [ATTRIBUTION_HEADERS.anonymous_id]: anonymousId, [ATTRIBUTION_HEADERS.session_id]: sessionId },
      }),
    );
    const searched = await json<SearchPage>(
      new Browser(env).request("/api/search?q=python", {
        headers: { [ATTRIBUTION_HEADERS.anonymous_id]: anonymousId, [ATTRIBUTION_HEADERS.session_id]: "not-a-uuid" },
      }),
    );
    const events = await bronzeEvents(s3);
    expect(events.find((e) => (e.props as { rec_id?: string }).rec_id === list.rec_id)?.props).toMatchObject({
      anonymous_id: anonymousId,
      session_id: sessionId,
    });
    const search = events.find((e) => (e.props as { search_id?: string }).search_id === searched.search_id);
    expect(search?.props).toEqual({
      query: "python",
      results: searched.total,
      search_id: searched.search_id,
      anonymous_id: anonymousId,
    });
  });

  it("lists a category's videos", async () => {
    const { videos } = await json<{ videos: Array<{ url: string; category_id: string }> }>(
      new Browser(env).request("/api/videos?category=ai"),
    );
    expect(videos.length).toBeGreaterThanOrEqual(3);
    for (const video of videos) {
      expect(video.category_id).toBe("ai");
      expect(video.url).toMatch(/^https:\/\/www\.youtube\.com\/watch\?v=[\w-]{11}$/);
    }
  });

  it.each([
    ["/api/recommendations?category=astrology", 404, "no category astrology"],
    ["/api/videos?category=astrology", 404, "no category astrology"],
    ["/api/recommendations", 400, "category: Invalid input: expected string, received undefined"],
    ["/api/videos?category=..%2Fetc", 400, "category: must be a category id"],
    ["/api/search", 400, "q: Invalid input: expected string, received undefined"],
    ["/api/search?q=%20", 400, "q: must not be empty"],
    ["/api/search?q=sql&limit=500", 400, "limit: Too big: expected number to be <=50"],
    ["/api/search?q=sql&page=0", 400, "page: Too small: expected number to be >=1"],
    ["/api/search?q=sql&page=x", 400, "page: Invalid input: expected number, received NaN"],
  ])("answers %s with %i", async (path, status, error) => {
    const response = await new Browser(env).request(path);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error });
  });

  it("searches titles, providers and category names, case-insensitively, in Korean and English, paginated", async () => {
    type Found = {
      total: number;
      results: Array<{ kind: string; title: string; source: string; category_name: string }>;
    };
    const search = (q: string, extra = "") =>
      json<Found>(new Browser(env).request(`/api/search?q=${encodeURIComponent(q)}${extra}`));

    const python = await search("PYTHON");
    expect(python.total).toBeGreaterThan(0);
    for (const hit of python.results)
      expect(`${hit.title} ${hit.source} ${hit.category_name}`.toLowerCase()).toContain("python");

    const korean = await search("데이터");
    expect(korean.total).toBeGreaterThan(0);
    expect(korean.results.some((hit) => hit.kind === "video")).toBe(true);

    const byProvider = await search("coursera");
    expect(
      byProvider.results.every(
        (hit) =>
          hit.source.toLowerCase().includes("coursera") ||
          hit.title.toLowerCase().includes("coursera") ||
          hit.category_name.toLowerCase().includes("coursera"),
      ),
    ).toBe(true);

    const first = await search("a", "&limit=5&page=1");
    const second = await search("a", "&limit=5&page=2");
    expect(first.results).toHaveLength(5);
    expect(second.total).toBe(first.total);
    expect(second.results.map((r) => r.title)).not.toEqual(first.results.map((r) => r.title));
    const beyond = await search("a", "&limit=50&page=1000");
    expect(beyond).toMatchObject({ total: first.total, results: [] });
  });

  it("treats injection, wildcards and script strings as plain text", async () => {
    for (const q of ["' OR 1=1 --", "%", "_", "<script>alert(1)</script>", "\\"]) {
      const response = await new Browser(env).request(`/api/search?q=${encodeURIComponent(q)}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ query: q, total: 0, results: [] });
    }
    const stored = (await bronzeEvents(s3))
      .filter((e) => e.type === "search_query")
      .map((e) => (e.props as { query: string }).query);
    expect(stored).toEqual(expect.arrayContaining(["' OR 1=1 --", "<script>alert(1)</script>"]));
  });

  it("records search_query with the number of results and the searcher", async () => {
    const learner = new Browser(env);
    const username = `s${crypto.randomUUID().slice(0, 8)}`;
    await learner.request("/api/auth/signup", { json: { username, password: "0123456789", full_name: "S" } });
    const { total, search_id } = await json<SearchPage>(learner.request("/api/search?q=SQL"));
    expect(search_id).toMatch(/^[0-9a-f-]{14}7/);
    const events = (await bronzeEvents(s3)).filter((e) => e.type === "search_query" && e.username === username);
    expect(events).toEqual([
      expect.objectContaining({ props: { query: "SQL", results: total, search_id }, source: "server" }),
    ]);
  });

  it("answers 503 retryable when Postgres is unreachable", async () => {
    const response = await new Browser({ ...env, NEON_WS_PROXY: "127.0.0.1:1" }).request("/api/categories");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({
      error: "the database is unavailable; try again shortly",
      retryable: true,
      retry_after: 1,
    });
  });
});
