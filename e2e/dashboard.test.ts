// The analyst dashboard in real Chromium against the whole local stack: a known event history
// goes into bronze, the ETL turns it into silver and the mart, and the numbers the dashboard
// computes with DuckDB-WASM in the browser must equal the seed's queries on Postgres, and every
// gold panel must show what its mart holds in Postgres. Every
// request the page makes must stay on this machine (DuckDB-WASM from the app's own bundle).
// Before the ETL's first run, on a stack of its own, every view must open over no rows.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GOLD_MART_NAMES, S3 as S3Client, utcDayFromToday } from "@growit/contract";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDotenv } from "../stack/src/dev-vars.ts";
import { etlEnv } from "../stack/src/etl-env.ts";
import { EMBEDDED_PG, REPO_ROOT, S3, WORKER } from "../stack/src/local.ts";
import { launchChromium } from "./browser.ts";
import { DATA_DAYS, type Envelope, expectedCategories, generateEvents, writeBronze } from "./dashboard-data.ts";
import { LocalStack } from "./local-stack.ts";

const SCREENSHOTS = join(REPO_ROOT, "test-results", "screenshots");
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost"]);
const bucket = new S3Client({ ...S3 });
let browser: Browser;
let events: Envelope[];

/**
 * `npm run etl -- run --from A --to B` against the stack's S3 and embedded Postgres, with the
 * environment `npm start` gives its own ETL worker (the worker's .dev.vars).
 */
function runEtl(from: string, to: string): Promise<void> {
  const env = etlEnv(parseDotenv(readFileSync(join(REPO_ROOT, ".dev.vars"), "utf8")));
  const child = spawn(join(REPO_ROOT, "node_modules/.bin/tsx"), ["etl/src/cli.ts", "run", "--from", from, "--to", to], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`etl exited ${code}:\n${output}`)))),
  );
}

/** The seed's query on the embedded Postgres, with dates as `YYYY-MM-DD` text and sums as numbers. */
async function onPostgres(sql: string): Promise<string[][]> {
  const client = new pg.Client({
    connectionString: EMBEDDED_PG.url,
    types: { getTypeParser: (oid, format) => (oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format)) },
  });
  await client.connect();
  try {
    const result = await client.query({ text: sql, rowMode: "array" });
    return result.rows.map((row: unknown[]) => row.map(String));
  } finally {
    await client.end();
  }
}

/** Numbers as the shortest text of their value (`0.5000` and `0.5` alike), other text as it is. */
const normalized = (rows: string[][]): string[][] =>
  rows.map((row) => row.map((cell) => (/^-?\d+(\.\d+)?$/.test(cell) ? String(Number(cell)) : cell)));

/** The learners' interests in app.users, for the activity-by-interest panel. */
async function giveInterests(): Promise<void> {
  const client = new pg.Client({ connectionString: EMBEDDED_PG.url });
  await client.connect();
  try {
    for (let k = 1; k <= 6; k++) {
      await client.query(
        `INSERT INTO app.users (username, password_hash, full_name, interests) VALUES ($1, 'x', $1, $2)
         ON CONFLICT (username) DO UPDATE SET interests = EXCLUDED.interests`,
        [`dash${k}`, k % 2 === 0 ? ["data", "ai"] : ["cloud"]],
      );
    }
  } finally {
    await client.end();
  }
}

/** The rows of a view's table as text, numbers without digit grouping. */
async function tableRows(page: Page, view: string): Promise<string[][]> {
  const table = page.locator(`#${view} table`);
  await table.waitFor();
  return table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((row) =>
      Array.from(row.querySelectorAll("th, td")).map((cell) => {
        const text = (cell.textContent ?? "").trim();
        return /^-?[\d,.]+$/.test(text) ? text.replaceAll(",", "") : text;
      }),
    ),
  );
}

/** Where a request went: the host of an http(s) URL, or of the page a blob: URL belongs to. */
function requestHost(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === "blob:") return new URL(parsed.pathname).hostname;
  if (parsed.protocol === "data:") return "127.0.0.1";
  return parsed.hostname;
}

async function newContext(): Promise<{ context: BrowserContext; requests: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "ko-KR",
    baseURL: WORKER.url,
  });
  const requests: string[] = [];
  context.on("request", (request) => requests.push(request.url()));
  return { context, requests };
}

async function logIn(page: Page, username: string, password: string): Promise<void> {
  const response = await page.request.post("/api/auth/login", { data: { username, password } });
  expect(response.status()).toBe(200);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe("the analyst dashboard before the ETL's first run", () => {
  // A stack of its own: this suite's login is an event, which the next suite's data set does not hold.
  LocalStack.forTests();

  it("opens every view over no rows, without an error, and the console reads the empty views", async () => {
    const { context } = await newContext();
    const page = await context.newPage();
    await logIn(page, "analyst", "growit-analyst");
    await page.goto("/dashboard");
    await page.waitForFunction(() => performance.getEntriesByName("dashboard:events").length > 0, undefined, {
      timeout: 30_000,
    });
    expect(await page.getByRole("alert").count()).toBe(0);
    const views = await page.locator("section.panel[id]").evaluateAll((sections) => sections.map((s) => s.id));
    expect(views).toHaveLength(12);
    // Active learners count every day of the range, with nobody on it: a chart of zeros.
    for (const view of views.filter((v) => v !== "active-learners")) {
      await expect.poll(() => page.locator(`#${view}`).getByText("이 기간에는 데이터가 없어요.").count()).toBe(1);
    }
    expect(new Set(await page.locator("#active-learners table tbody tr td").allTextContents())).toEqual(new Set(["0"]));

    const sql = page.getByLabel("SQL 쿼리");
    await sql.fill(
      `SELECT ${["events", "daily_events", ...GOLD_MART_NAMES].map((view) => `(SELECT count(*) FROM ${view})`).join(" + ")} AS n`,
    );
    await sql.press("Control+Enter");
    await page.getByText("1행,").waitFor();
    expect(await page.locator(".console tbody tr td").allTextContents()).toEqual(["1", "0"]);
    await context.close();
  });
});

describe("the analyst dashboard", () => {
  LocalStack.forTests();
  beforeAll(async () => {
    events = generateEvents();
    await writeBronze(bucket, events);
    await giveInterests();
    await runEtl(utcDayFromToday(-DATA_DAYS), utcDayFromToday(-1));
  });

  it("shows the seed's numbers, computed in the browser, equal to Postgres; all requests stay local", async () => {
    const { context, requests } = await newContext();
    const page = await context.newPage();
    // DuckDB-WASM must run under the SPA's Content-Security-Policy.
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await logIn(page, "analyst", "growit-analyst");
    await page.goto("/");
    await page.getByRole("link", { name: "대시보드" }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.locator("#events-per-day [data-chart] svg").first().waitFor({ timeout: 30_000 });

    const perDay = await onPostgres(`SELECT event_date, SUM(cnt) AS total_events FROM mart.daily_events
WHERE event_date >= CURRENT_DATE - INTERVAL '7 days' GROUP BY event_date ORDER BY event_date;`);
    expect(perDay).toHaveLength(DATA_DAYS);
    expect(await tableRows(page, "events-per-day")).toEqual(perDay);

    const top = await onPostgres(`SELECT user_id, SUM(cnt) AS events_last_30d FROM mart.daily_events
WHERE event_date >= CURRENT_DATE - INTERVAL '30 days' GROUP BY user_id ORDER BY events_last_30d DESC LIMIT 5;`);
    expect(top).toHaveLength(5);
    expect(await tableRows(page, "top-users")).toEqual(top);

    // Yesterday (the default day): each user's count from the mart and their categories from silver.
    const yesterday = utcDayFromToday(-1);
    const dayCounts = await onPostgres(
      `SELECT user_id, cnt FROM mart.daily_events WHERE event_date = '${yesterday}' ORDER BY cnt DESC, user_id`,
    );
    const categories = expectedCategories(events, yesterday);
    await page.locator("#day-users [data-chart] svg").first().waitFor({ timeout: 30_000 });
    expect(await tableRows(page, "day-users")).toEqual(
      dayCounts.map(([user, cnt]) => [user, cnt, categories.get(user ?? "") ?? ""]),
    );

    // Events by type counts every event, anonymous ones included.
    await page.locator("#events-by-type [data-chart] svg").first().waitFor({ timeout: 30_000 });
    await page.locator("#events-by-category [data-chart] svg").first().waitFor({ timeout: 30_000 });
    const byType = await tableRows(page, "events-by-type");
    expect(byType.reduce((sum, row) => sum + Number(row[2]), 0)).toBe(events.length);

    // Gold panels: each shows what its mart holds, over the default range (the last 30 days).
    const range = `BETWEEN '${utcDayFromToday(-30)}' AND '${utcDayFromToday(0)}'`;
    const gold: Record<string, string> = {
      "recommendations-by-category": `SELECT category, SUM(requests), SUM(opens), round(SUM(opens)::numeric / SUM(requests), 4)
        FROM mart.recommendation_daily WHERE event_date ${range} GROUP BY category ORDER BY SUM(requests) DESC, category`,
      "recommendations-by-position": `SELECT position, SUM(opens), round(SUM(opens)::numeric /
          (SELECT SUM(requests) FROM mart.recommendation_daily WHERE event_date ${range}), 4)
        FROM mart.recommendation_positions WHERE event_date ${range} GROUP BY position ORDER BY position`,
      "search-success": `SELECT to_char(event_date, 'YYYY-MM-DD'), searches, zero_result, opens,
          round(1 - zero_result::numeric / searches, 4)
        FROM mart.search_daily WHERE event_date ${range} ORDER BY event_date`,
      "zero-result-queries": `SELECT query, SUM(searches) FROM mart.zero_result_queries WHERE event_date ${range}
        GROUP BY query ORDER BY SUM(searches) DESC, query LIMIT 10`,
      "active-learners": `SELECT to_char(d, 'YYYY-MM-DD'),
          (SELECT count(DISTINCT user_id) FROM mart.daily_events WHERE event_date = d::date),
          (SELECT count(DISTINCT user_id) FROM mart.daily_events WHERE event_date > d::date - 7 AND event_date <= d::date)
        FROM generate_series('${utcDayFromToday(-30)}'::date, '${utcDayFromToday(0)}'::date, interval '1 day') d ORDER BY d`,
      retention: `SELECT to_char(cohort_week, 'YYYY-MM-DD'), week_offset, learners,
          round(learners::numeric / first_value(learners) OVER (PARTITION BY cohort_week ORDER BY week_offset), 4)
        FROM mart.retention_weekly WHERE cohort_week ${range} ORDER BY cohort_week, week_offset`,
      "activity-by-interest": `SELECT interest, SUM(events), round(SUM(learners)::numeric / 31, 2)
        FROM mart.interest_daily WHERE event_date ${range} GROUP BY interest ORDER BY SUM(events) DESC, interest`,
    };
    for (const [view, sql] of Object.entries(gold)) {
      await page.locator(`#${view} [data-chart] svg`).first().waitFor({ timeout: 30_000 });
      const expected = normalized(await onPostgres(sql));
      expect(expected.length, `${view} has rows in Postgres`).toBeGreaterThan(0);
      expect(normalized(await tableRows(page, view)), view).toEqual(expected);
    }
    // The data set's own answers: even users open their lists, searches for q0 find nothing.
    expect(normalized(await tableRows(page, "zero-result-queries"))).toEqual([["q0", String(2 * DATA_DAYS)]]);
    expect(normalized(await tableRows(page, "recommendations-by-position"))).toEqual([
      ["1", String(DATA_DAYS), "0.1667"],
      ["2", String(DATA_DAYS), "0.1667"],
      ["3", String(DATA_DAYS), "0.1667"],
    ]);

    // Data health: every day's run reconciles with the exports.
    const checks = page.locator("[data-check]");
    await expect
      .poll(() => checks.evaluateAll((cells) => cells.map((c) => c.getAttribute("data-check"))))
      .toEqual(Array(DATA_DAYS).fill("ok"));
    await expect.poll(() => page.getByText("데이터가 최신이에요").count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-desktop.png"), fullPage: true });

    const offsite = requests.filter((url) => !LOCAL_HOSTS.has(requestHost(url)));
    expect(offsite).toEqual([]);
    expect(requests.some((url) => url.endsWith(".wasm"))).toBe(true);
    expect(requests.some((url) => url.includes("/api/exports/silver/events/"))).toBe(true);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("runs SQL in the console with Ctrl-Enter, shows DuckDB's error as it is, and downloads CSV", async () => {
    const { context } = await newContext();
    const page = await context.newPage();
    await logIn(page, "analyst", "growit-analyst");
    await page.goto("/dashboard");
    const sql = page.getByLabel("SQL 쿼리");
    const run = page.getByRole("button", { name: "실행" });
    await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);

    await sql.fill("SELECT count(*) AS n, count(user_id) AS named FROM events");
    await sql.press("Control+Enter");
    await page.getByText("1행,").waitFor();
    const anonymous = events.filter((e) => e.username === null).length;
    expect(await page.locator(".console tbody tr td").allTextContents()).toEqual([
      "1",
      String(events.length),
      String(events.length - anonymous),
    ]);

    // A result taller than a browser lets an element be: drawn only around the view, every part
    // of it reachable, and what is in view always drawn.
    const rows = 2_000_000;
    await sql.fill(`SELECT range AS n FROM range(${rows})`);
    await sql.press("Control+Enter");
    await page.getByText(`${rows.toLocaleString("ko-KR")}행,`).waitFor();
    const results = page.getByRole("region", { name: "쿼리 결과" });
    const rowsInView = () =>
      results.evaluate((region) => {
        const view = region.getBoundingClientRect();
        return Array.from(region.querySelectorAll("tbody tr[aria-rowindex]")).flatMap((row) => {
          const box = row.getBoundingClientRect();
          return box.bottom > view.top && box.top < view.bottom ? [Number(row.getAttribute("aria-rowindex")) - 1] : [];
        });
      });
    const scrollTo = (share: number) =>
      results.evaluate((region, at) => {
        region.scrollTop = at * (region.scrollHeight - region.clientHeight);
      }, share);
    for (const share of [0, 0.5, 1]) {
      await scrollTo(share);
      await expect
        .poll(
          async () => {
            const shown = await rowsInView();
            const middle = shown[Math.floor(shown.length / 2)] ?? -1;
            return shown.length >= 8 && Math.abs(middle / rows - share) < 0.01;
          },
          { message: `rows in view at ${share * 100}% of the scroll` },
        )
        .toBe(true);
      expect(await results.locator("tbody tr").count()).toBeLessThan(200);
    }
    expect((await rowsInView()).at(-1)).toBe(rows);
    const lastValue = await results.locator("tbody tr").last().locator("td").last().textContent();
    expect(lastValue?.replaceAll(",", "")).toBe(String(rows - 1));

    await sql.fill("SELECT no_such_column FROM daily_events");
    await run.click();
    const error = page.locator(".console [role=alert]");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Binder Error.*no_such_column/s);

    await sql.fill(`SELECT 'a,b' AS text, 'say "hi"' AS quoted, 2 AS n`);
    await sql.press("Control+Enter");
    await page.getByText("1행,").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "CSV 내려받기" }).click(),
    ]);
    const path = await download.path();
    expect(readFileSync(path, "utf8")).toBe('text,quoted,n\r\n"a,b","say ""hi""",2\r\n');
    await context.close();
  });

  it("refuses learners and anonymous visitors, without loading DuckDB", async () => {
    for (const who of ["anonymous", "learner"] as const) {
      const { context, requests } = await newContext();
      const page = await context.newPage();
      if (who === "learner") {
        const signup = await page.request.post("/api/auth/signup", {
          data: {
            username: `learner${Date.now() % 1_000_000}`,
            password: "growit-e2e-password",
            full_name: "학습자",
            interests: [],
          },
        });
        expect(signup.status()).toBe(201);
      }
      await page.goto("/dashboard");
      await page.getByRole("heading", { name: "분석가 전용" }).waitFor();
      expect(await page.getByRole("link", { name: "대시보드" }).count()).toBe(0);
      expect((await page.request.get("/api/exports/manifest")).status()).toBe(who === "learner" ? 403 : 401);
      expect(requests.filter((url) => url.endsWith(".wasm") || url.includes("/api/exports/"))).toEqual([]);
      await context.close();
    }
  });
});
