// Through the worker's real entry point (SELF): the module workerd loaded at start, with its
// configured bindings, so that a fault at module scope, in config or in bindings shows here.
import { describe, expect, it } from "vitest";
import { Browser, selfBucket } from "../test/fixtures.ts";

describe("the worker's entry point", () => {
  it("answers health with S3 and Postgres reachable through its own bindings", async () => {
    const response = await new Browser().request("/api/health");
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it("stores events in the bucket its bindings name", async () => {
    const id = crypto.randomUUID();
    const response = await new Browser().request("/api/events", {
      json: { events: [{ id, type: "page_view", ts: new Date().toISOString(), props: { path: "/self" } }] },
    });
    expect(await response.json()).toEqual({ accepted: 1, rejected: [] });
    const keys = await selfBucket().list("bronze/app/");
    const texts = await Promise.all(keys.map((key) => selfBucket().getText(key)));
    expect(texts.some((text) => text.includes(id))).toBe(true);
  });
});
