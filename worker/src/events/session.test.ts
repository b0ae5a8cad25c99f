// Through the worker's real entry point (SELF): the ingest path reads the username from the
// session token alone.
import { uuidv7 } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, bronzeEvents, selfBucket, signUp, uniqueName } from "../../test/fixtures.ts";

describe("POST /api/events with a session", () => {
  it("stamps the session's username and ignores one in the body", async () => {
    const browser = new Browser();
    const username = uniqueName("e");
    await signUp(browser, username);
    const id = uuidv7();
    const response = await browser.request("/api/events", {
      json: {
        events: [{ id, type: "page_view", ts: new Date().toISOString(), props: { path: "/" }, username: "admin" }],
      },
    });
    expect(response.status).toBe(202);
    const stored = (await bronzeEvents(selfBucket())).find((e) => e.id === id);
    expect(stored).toMatchObject({ username, source: "web" });
  });
});
