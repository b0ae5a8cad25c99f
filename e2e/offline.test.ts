// The learner app offline, in real Chromium against the whole local stack (`npm start`'s
// orchestrator with a fresh data dir): after one online visit every route opens and reloads
// without a connection, what the learner does meanwhile reaches bronze exactly once when the
// connection returns (offline meaning both the browser offline and the server out of reach), the app is installable, and a new build takes over only when the learner
// accepts the reload (while a reload after `npm start` rebuilt the app runs the new build at once).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, WORKER } from "../stack/src/local.ts";
import { CONFIG } from "../web/src/lib/events/config.ts";
import { cacheNames } from "../web/src/lib/offline/precache.ts";
import { launchPersistentChromium } from "./browser.ts";
import { LearnerStack, newContext, SCREENSHOTS, sidewaysOverflow, signUp, WIDTHS } from "./learner-browser.ts";
import { eventually } from "./stored-events.ts";

const learners = LearnerStack.forTests();

type QueuedEvent = { id: string; type: string; props: Record<string, unknown> };

/** What the event SDK holds in the page's localStorage, waiting to be sent. */
function queued(page: Page): Promise<QueuedEvent[]> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '{"events":[]}').events, CONFIG.queueKey);
}

/** Until the service worker serves the page (it claims the page that first registered it). */
async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/**
 * The build version of the worker serving the page, as the app asks it; "none" when no worker
 * serves it, "no answer" when the worker does not answer within a few seconds (page.evaluate
 * itself would wait for ever).
 */
function workerVersion(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const controller = navigator.serviceWorker.controller;
        if (!controller) return resolve("none");
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = (event) => resolve(String(event.data));
        setTimeout(() => resolve("no answer"), 5_000);
        controller.postMessage({ type: "version" }, [port2]);
      }),
  );
}

/**
 * workerVersion once no other worker is installing or waiting to take over ("handing over" until
 * then), without a message to the worker being replaced meanwhile: Chromium hands over once that
 * worker stops with no event pending, and a message that comes while it stops starts it again,
 * after which the handover waits until it has had no event for 30 s, or for 5 minutes. Polling it
 * would keep the new worker waiting.
 */
async function workerVersionAfterHandover(page: Page): Promise<string> {
  const handingOver = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return Boolean(registration?.installing ?? registration?.waiting);
  });
  return handingOver ? "handing over" : workerVersion(page);
}

/** A build as web/build holds it: its version and the name of the global its index.html sets. */
function built(): { version: string; global: string } {
  const build = join(REPO_ROOT, "web", "build");
  const { version } = JSON.parse(readFileSync(join(build, "_app", "version.json"), "utf8")) as { version: string };
  const global = /(__sveltekit_\w+) =/.exec(readFileSync(join(build, "index.html"), "utf8"))?.[1];
  if (!global) throw new Error("web/build/index.html sets no __sveltekit_ global");
  return { version, global };
}

/** Which build's page is running: the SvelteKit global its index.html set. */
function pageBuild(page: Page): Promise<string | undefined> {
  return page.evaluate(() => Object.keys(window).find((key) => key.startsWith("__sveltekit_")));
}

/** `npm start` again, which builds the SPA anew and restarts the stack on the same data; the new build. */
async function startAgainWithNewBuild(): Promise<{ version: string; global: string }> {
  await learners.stop();
  await promisify(execFile)("npm", ["run", "build", "-w", "web"], { cwd: REPO_ROOT });
  await learners.start();
  return built();
}

/**
 * The learner loses the connection: the browser goes offline and the server is out of reach.
 * Chromium's offline emulation lapses while a page unloads (navigator.onLine turns true and
 * requests go out), which a real connection lost does not: with the stack stopped, what leaks
 * out then finds no server, as it would.
 */
async function goOffline(context: BrowserContext): Promise<void> {
  await learners.stop();
  await context.setOffline(true);
}

/**
 * The connection returns. The emulation fires no online event in a page loaded while it
 * lasted, as a browser reconnecting does, so the page is given one.
 */
async function reconnect(context: BrowserContext, page: Page): Promise<void> {
  await learners.start();
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
}

/** Screenshots of the page as it stands at phone and desktop widths; neither scrolls sideways. */
async function snap(page: Page, name: string): Promise<void> {
  const restore = page.viewportSize();
  for (const [label, width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    expect(await sidewaysOverflow(page), `${name} at ${label} width scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, `offline-${name}-${label}.png`), fullPage: true });
  }
  if (restore) await page.setViewportSize(restore);
}

/** The app, not the browser's error page: its own address, its header, a heading, and what `shows`. */
async function showsApp(page: Page, shows: Locator): Promise<void> {
  expect(page.url().startsWith(WORKER.url), page.url()).toBe(true);
  await page
    .getByRole("link", { name: /GrowIt/ })
    .first()
    .waitFor();
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  await shows.first().waitFor();
}

/** Opens a link in a new tab (courses and videos are on other sites) and closes that tab. */
async function openInNewTab(context: BrowserContext, link: Locator): Promise<void> {
  const [tab] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await tab.close();
}

describe("the learner app offline", () => {
  it("opens every route offline after one visit, reloads, and sends what the learner did exactly once on reconnecting", async () => {
    const context = await newContext(learners.browser, 1280, 900);
    const page = await context.newPage();
    const username = `sw${Date.now() % 1_000_000}`;
    await signUp(page, username, []);
    await controlled(page);
    // Online, one topic: its courses and videos are saved as they load.
    await page.getByRole("link", { name: /클라우드/ }).click();
    await page
      .getByRole("link", { name: /강의 보기/ })
      .first()
      .waitFor();
    await page
      .getByRole("link", { name: /영상 보기/ })
      .first()
      .waitFor();
    await page
      .getByRole("link", { name: /GrowIt/ })
      .first()
      .click();
    await page.waitForURL(`${WORKER.url}/`);
    // What was done online is sent, so the queue from here on is what is done offline.
    await expect.poll(() => queued(page), { timeout: 15_000 }).toEqual([]);

    await goOffline(context);
    const banner = page.getByText("오프라인 상태예요");
    const unreachable = page.getByRole("alert").filter({ hasText: "서버에 연결할 수 없어요" });
    const saved = page.getByRole("status").filter({ hasText: "저장해 둔 내용을 보여 드려요" });

    // A topic never opened: its route's code comes from the precache, its name from the saved
    // topics, its courses cannot.
    await page.getByRole("link", { name: /AI · 머신러닝/ }).click();
    await page.waitForURL(/\/category\/ai$/);
    await showsApp(page, unreachable);
    await page.getByRole("heading", { level: 1, name: "AI · 머신러닝" }).waitFor();
    await banner.waitFor();
    await snap(page, "category-never-opened");
    await page.reload();
    await showsApp(page, unreachable);

    // Search needs the network, and says so.
    await page.getByRole("searchbox", { name: "강의와 영상 검색" }).fill("파이썬");
    await page.getByRole("button", { name: "검색" }).click();
    await page.waitForURL(/\/search\?q=/);
    const needsConnection = page.getByText("검색은 인터넷에 연결되어 있어야 해요");
    await showsApp(page, needsConnection);
    await snap(page, "search");
    await page.reload();
    await showsApp(page, needsConnection);

    // Opened offline, the profile cannot know who is signed in, and says so.
    await page.goto("/profile");
    const profileOffline = page.getByText("프로필은 인터넷에 연결되어 있어야 볼 수 있어요");
    await showsApp(page, profileOffline);
    await snap(page, "profile");
    await page.reload();
    await showsApp(page, profileOffline);

    await page.goto("/login");
    await showsApp(page, page.getByRole("button", { name: "로그인" }));
    await snap(page, "login");
    await page.reload();
    await showsApp(page, page.getByRole("button", { name: "로그인" }));

    // Home, loaded offline: the topics saved when the worker installed.
    await page.goto("/");
    await showsApp(page, saved);
    await page.getByRole("link", { name: /클라우드/ }).waitFor();
    await snap(page, "home");

    // Act: the topic opened online shows its saved courses and videos; ask for recommendations,
    // open a course, reload, open a video, then another topic.
    await page.getByRole("link", { name: /클라우드/ }).click();
    await page.waitForURL(/\/category\/cloud$/);
    await showsApp(page, saved);
    for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "나에게 맞게 추천 받기" }).click();
    await openInNewTab(context, page.getByRole("link", { name: /강의 보기/ }).first());
    await snap(page, "category-saved");
    await page.reload();
    await showsApp(page, saved);
    await openInNewTab(context, page.getByRole("link", { name: /영상 보기/ }).first());
    await page
      .getByRole("link", { name: /GrowIt/ })
      .first()
      .click();
    await page.getByRole("link", { name: /데이터 분석/ }).click();
    await page.waitForURL(/\/category\/data$/);
    await showsApp(page, unreachable);

    const paths = ["/category/ai", "/search", "/profile", "/login", "/", "/category/cloud", "/category/data"];
    const count = (events: QueuedEvent[], type: string) => events.filter((e) => e.type === type).length;
    await expect
      .poll(() => queued(page))
      .toSatisfy((events: QueuedEvent[]) => {
        const views = new Set(events.filter((e) => e.type === "page_view").map((e) => e.props.path));
        return (
          paths.every((path) => views.has(path)) &&
          count(events, "category_recommendation") === 3 &&
          count(events, "course_open") === 1 &&
          count(events, "video_open") === 1 &&
          count(events, "search_query") === 1
        );
      });
    const madeOffline = await queued(page);

    await reconnect(context, page);
    const stored = await eventually((all) => {
      for (const event of madeOffline) {
        const copies = all.filter((e) => e.id === event.id);
        expect(copies, `${event.type} ${JSON.stringify(event.props)}`).toHaveLength(1);
        expect(copies[0]).toMatchObject({ type: event.type, username, source: "web", props: event.props });
      }
    }, 10_000);
    const mine = stored.filter((e) => e.username === username && e.source === "web");
    expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
    // Back online, the page loads what it could not: the topic's courses.
    await page
      .getByRole("link", { name: /강의 보기/ })
      .first()
      .waitFor();
    await context.close();
  });

  it("is installable: Chromium finds nothing missing in its manifest, icons and service worker", async () => {
    const profile = mkdtempSync(join(tmpdir(), "growit-e2e-profile-"));
    const context = await launchPersistentChromium(profile, { baseURL: WORKER.url });
    try {
      const page = await context.newPage();
      await page.goto("/");
      await controlled(page);
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send("Page.getAppManifest");
      expect(manifest.errors).toEqual([]);
      expect(manifest.url).toBe(`${WORKER.url}/manifest.webmanifest`);
      const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
      expect(installabilityErrors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it("installs a new build beside the old one, offers the reload and then runs it; a reload after `npm start` rebuilt runs it at once", async () => {
    const context = await newContext(learners.browser, 1280, 900);
    const page = await context.newPage();
    const reloadButton = page.getByRole("button", { name: "새로 고침" });
    const first = built();
    await page.goto("/");
    await controlled(page);
    await expect.poll(() => workerVersion(page)).toBe(first.version);
    expect(await pageBuild(page)).toBe(first.global);

    const second = await startAgainWithNewBuild();
    expect(second.version).not.toBe(first.version);
    // The open tab looks for a new build when it comes back into view.
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await reloadButton.waitFor();
    await page.getByText("새 버전이 나왔어요").waitFor();
    await snap(page, "update-available");
    // The new build waits: the old one still runs the page and serves it.
    expect(await pageBuild(page)).toBe(first.global);
    await expect.poll(() => workerVersion(page)).toBe(first.version);

    const reloaded = page.waitForEvent("load");
    await reloadButton.click();
    await reloaded;
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    expect(await pageBuild(page)).toBe(second.global);
    await expect.poll(() => workerVersion(page)).toBe(second.version);
    const names = cacheNames(second.version);
    expect((await page.evaluate(() => caches.keys())).sort()).toEqual([names.app, names.catalog].sort());
    // Offline, it is the new build's shell that opens.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    expect(await pageBuild(page)).toBe(second.global);
    await context.setOffline(false);

    // As after `npm start` rebuilt the app: a reload runs the new build, and its worker takes over unasked.
    const third = await startAgainWithNewBuild();
    await page.reload();
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    expect(await pageBuild(page)).toBe(third.global);
    await expect.poll(() => workerVersionAfterHandover(page), { timeout: 15_000 }).toBe(third.version);
    expect(await reloadButton.count()).toBe(0);
    await context.close();
  }, 240_000);
});
