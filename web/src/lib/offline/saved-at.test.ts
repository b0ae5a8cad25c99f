import { describe, expect, it } from "vitest";
import { markSaved, SAVED_AT_HEADER, savedAt } from "./saved-at.ts";

describe("the saved-at mark", () => {
  it("keeps the answer as it was and adds when it was saved", async () => {
    const at = new Date("2026-12-01T08:30:00.000Z");
    const original = new Response('{"categories":[]}', {
      status: 200,
      statusText: "OK",
      headers: { "content-type": "application/json" },
    });
    const saved = markSaved(original, at);
    expect(saved.status).toBe(200);
    expect(saved.statusText).toBe("OK");
    expect(saved.headers.get("content-type")).toBe("application/json");
    expect(await saved.json()).toEqual({ categories: [] });
    expect(savedAt(saved.headers)).toEqual(at);
  });

  it("is absent from an answer straight from the network, and ignored when it is not a time", () => {
    expect(savedAt(new Headers())).toBeUndefined();
    expect(savedAt(new Headers({ [SAVED_AT_HEADER]: "yesterday-ish" }))).toBeUndefined();
  });
});
