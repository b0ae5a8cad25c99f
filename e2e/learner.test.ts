// A learner's session in real Chromium against the whole local stack (`npm start`'s
// orchestrator with a fresh data dir): the SPA, the worker under wrangler dev, the S3
// server and the embedded Postgres. Checks that what the learner does arrives in the
// bucket as events, exactly once (offline.test.ts does the same offline).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LearnerStack, newContext, SCREENSHOTS, sidewaysOverflow, signUp, WIDTHS } from "./learner-browser.ts";
import { eventually, type StoredEvent } from "./stored-events.ts";

const learners = LearnerStack.forTests();

describe("a learner in the browser", () => {
  it("signs up, browses, gets recommendations, searches and opens a course and a video: all recorded", async () => {
    const context = await newContext(learners.browser, 1280, 900);
    const page = await context.newPage();
    const username = `e2e${Date.now() % 1_000_000}`;
    await signUp(page, username, ["📊 데이터 분석"]);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("GrowIt");

    await page.getByRole("link", { name: /AI · 머신러닝/ }).click();
    await page.waitForURL(/\/category\/ai$/);
    await page.getByRole("button", { name: "나에게 맞게 추천 받기" }).click();
    await page.getByRole("heading", { name: "추천 강의" }).waitFor();
    const [courseTab] = await Promise.all([
      context.waitForEvent("page"),
      page
        .getByRole("link", { name: /강의 보기/ })
        .first()
        .click(),
    ]);
    await courseTab.close();
    const [videoTab] = await Promise.all([
      context.waitForEvent("page"),
      page
        .getByRole("link", { name: /영상 보기/ })
        .first()
        .click(),
    ]);
    await videoTab.close();

    await page.getByRole("searchbox", { name: "강의와 영상 검색" }).fill("파이썬");
    await page.getByRole("button", { name: "검색" }).click();
    await page.waitForURL(/\/search\?q=/);
    await page.getByText(/개를 찾았어요/).waitFor();

    const mine = (events: StoredEvent[]) => events.filter((e) => e.username === username);
    const events = await eventually((all) => {
      const types = new Set(mine(all).map((e) => e.type));
      for (const type of [
        "signup",
        "page_view",
        "category_recommendation",
        "recommendation_request",
        "course_open",
        "video_open",
        "search_query",
      ]) {
        expect(types, type).toContain(type);
      }
    });
    const byType = (type: string) => mine(events).filter((e) => e.type === type);
    // One browser, one session: the same attribution ids on what the SDK sent and on what the
    // worker recorded of the learner's requests.
    const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const attribution = { anonymous_id: uuid, session_id: uuid };
    const pairs = new Set(mine(events).map((e) => `${e.props.anonymous_id} ${e.props.session_id}`));
    expect([...pairs]).toHaveLength(1);
    expect(byType("category_recommendation")[0]?.props).toEqual({ category: "ai", ...attribution });
    // The course was opened from the recommendation list the worker recorded, at its first place.
    const lists = byType("recommendation_request").map((e) => e.props);
    for (const list of lists) expect(list).toMatchObject({ category: "ai", rec_id: uuid, ...attribution });
    expect(lists.every((list) => Array.isArray(list.course_ids) && list.course_ids.length > 0)).toBe(true);
    const open = byType("course_open")[0]?.props;
    expect(open).toMatchObject({ category: "ai", course_id: expect.any(String), rec_id: uuid, position: 1 });
    expect(lists.map((list) => list.rec_id)).toContain(open?.rec_id);
    expect(byType("video_open")[0]?.props).toMatchObject({ category: "ai", video_id: expect.any(String) });
    expect(byType("search_query").find((e) => e.source === "server")?.props).toMatchObject({
      query: "파이썬",
      results: expect.any(Number),
      search_id: uuid,
    });
    expect(byType("search_query").map((e) => [e.source, e.props.query])).toEqual(
      expect.arrayContaining([
        ["web", "파이썬"],
        ["server", "파이썬"],
      ]),
    );
    expect(byType("page_view").map((e) => e.props.path)).toEqual(
      expect.arrayContaining(["/", "/category/ai", "/search"]),
    );
    await context.close();
  });

  it("renders every page at phone and desktop widths, under its security headers and CSP (screenshots saved as artifacts)", async () => {
    for (const [label, width, height] of WIDTHS) {
      const context = await newContext(learners.browser, width, height);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy|Permissions-Policy/i.test(message.text())) violations.push(message.text());
      });
      for (const [name, path] of [
        ["home", "/"],
        ["signup", "/signup"],
        ["login", "/login"],
        ["category", "/category/data"],
        ["search", "/search?q=SQL"],
        ["profile", "/profile"],
        ["not-found", "/no/such/page"],
      ] as const) {
        const response = await page.goto(path);
        const headers = response?.headers() ?? {};
        expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
        expect(headers["x-content-type-options"], path).toBe("nosniff");
        expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
        expect(headers["permissions-policy"], path).toContain("camera=()");
        const policy = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute("content");
        for (const directive of [
          /script-src 'self' 'wasm-unsafe-eval' 'sha256-/,
          /object-src 'none'/,
          /base-uri 'none'/,
        ]) {
          expect(policy, path).toMatch(directive);
        }
        await page.getByRole("heading", { level: 1 }).first().waitFor();
        await page.waitForLoadState("networkidle");
        const overflow = await sidewaysOverflow(page);
        expect(overflow, `${name} at ${label} width scrolls sideways`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
      }
      expect(violations).toEqual([]);
      await context.close();
    }
  });

  it("says so and offers a retry when the API is down, never a blank page", async () => {
    const context = await newContext(learners.browser, 1280, 900);
    await context.route("**/api/categories", (route) => route.abort());
    const page = await context.newPage();
    await page.goto("/");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("서버에 연결할 수 없어요");
    await context.unroute("**/api/categories");
    await page.getByRole("button", { name: "다시 시도" }).click();
    await page.getByRole("link", { name: /데이터 분석/ }).waitFor();
    await context.close();
  });

  it("downloads their data and deletes their account from the profile page", async () => {
    const context = await newContext(learners.browser, 1280, 900);
    const page = await context.newPage();
    const username = `gone${Date.now().toString(36)}`;
    await signUp(page, username, ["데이터 분석"]);
    await page.goto("/profile");
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "내 데이터 내려받기" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^growit-${username}-\\d{4}-\\d{2}-\\d{2}\\.jsonl$`));
    const lines = readFileSync((await download.path()) as string, "utf8")
      .trim()
      .split("\n");
    expect(JSON.parse(lines[0] as string)).toMatchObject({ record: "account", username });

    const confirm = page.getByLabel("확인을 위해 비밀번호를 입력하세요");
    await confirm.fill("not the password");
    await page.getByRole("button", { name: "계정과 데이터 삭제" }).click();
    await page.getByRole("alert").getByText("비밀번호가 맞지 않아요").waitFor();
    await confirm.fill("growit-e2e-password");
    await page.getByRole("button", { name: "계정과 데이터 삭제" }).click();
    await page.getByRole("status").getByText("계정을 삭제했어요").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "profile-deleted.png"), fullPage: true });
    expect(await page.evaluate(async () => (await fetch("/api/me")).status)).toBe(401);
    await context.close();
  });

  it("switches between Korean and English", async () => {
    const context = await newContext(learners.browser, 1280, 900);
    const page = await context.newPage();
    await page.goto("/");
    await page.getByRole("heading", { name: "분야 둘러보기" }).waitFor();
    await page.getByLabel("언어").selectOption("en");
    await page.getByRole("heading", { name: "Browse topics" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await context.close();
  });
});
