// A learner's browser for the end-to-end tests: the whole local stack and a Chromium for a test
// file, a Korean context on the local worker, sign-up, and where screenshots go.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { REPO_ROOT, WORKER } from "../stack/src/local.ts";
import { launchChromium } from "./browser.ts";
import { LocalStack } from "./local-stack.ts";

export const SCREENSHOTS = join(REPO_ROOT, "test-results", "screenshots");

export const WIDTHS = [
  ["phone", 390, 844],
  ["desktop", 1280, 900],
] as const;

/** The local stack and a Chromium, for the tests of one file (`LearnerStack.forTests()`). */
export class LearnerStack extends LocalStack {
  #browser: Browser | undefined;

  get browser(): Browser {
    if (!this.#browser) throw new Error("the learner stack has not started");
    return this.#browser;
  }

  protected override async setUp(): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await super.setUp();
    this.#browser = await launchChromium();
  }

  protected override async tearDown(): Promise<void> {
    await this.#browser?.close();
    await super.tearDown();
  }
}

export async function newContext(browser: Browser, width: number, height: number): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height }, locale: "ko-KR", baseURL: WORKER.url });
  // Course and video links open outside sites in new tabs; keep the test on this machine.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  return context;
}

export async function signUp(page: Page, username: string, interests: string[]): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("아이디").fill(username);
  await page.getByLabel("비밀번호").fill("growit-e2e-password");
  await page.getByLabel("이름").fill("이투이");
  for (const name of interests) await page.getByRole("checkbox", { name }).check();
  await page.getByRole("button", { name: "가입하기" }).click();
  await page.waitForURL(`${WORKER.url}/`);
}

/** How far the page scrolls sideways (0 when it fits its width). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
