import { type S3, uuidv7 } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, bronzeEvents, testEnv } from "../../test/fixtures.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("events-session"));
});

describe("POST /api/events with a session", () => {
  it("stamps the session's username and ignores one in the body", async () => {
    const browser = new Browser(env);
    const username = `e${crypto.randomUUID().slice(0, 8)}`;
    await browser.request("/api/auth/signup", { json: { username, password: "0123456789", full_name: "E" } });
    const id = uuidv7();
    const response = await browser.request("/api/events", {
      json: {
        events: [{ id, type: "page_view", ts: new Date().toISOString(), props: { path: "/" }, username: "admin" }],
      },
    });
    expect(response.status).toBe(202);
    const stored = (await bronzeEvents(s3)).find((e) => e.id === id);
    expect(stored).toMatchObject({ username, source: "web" });
  });
});
