import { acceptClientEvent, LIMITS } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { makeEvent } from "./event.ts";

const NOW = Date.parse("2026-05-01T12:00:00.000Z");

describe("makeEvent", () => {
  it("builds a ClientEvent the server accepts, with a UUIDv7 id and the client's ts", () => {
    const made = makeEvent("page_view", { path: "/category/ai" }, NOW);
    if (!made.ok) throw new Error(made.problem);
    expect(made.event).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: "page_view",
      ts: "2026-05-01T12:00:00.000Z",
      props: { path: "/category/ai" },
    });
    // The id's first 48 bits are the creation time.
    expect(Number.parseInt(made.event.id.replaceAll("-", "").slice(0, 12), 16)).toBe(NOW);
    const verdict = acceptClientEvent(made.event, {
      receivedAt: new Date(NOW),
      username: null,
      source: "web",
      sentAt: NOW,
    });
    expect(verdict.ok).toBe(true);
  });

  it("gives every event its own id", () => {
    const ids = new Set(
      Array.from({ length: 100 }, () => {
        const made = makeEvent("page_view", { path: "/" }, NOW);
        return made.ok ? made.event.id : "";
      }),
    );
    expect(ids.size).toBe(100);
  });

  it("copies props, so later mutation by the caller does not change the queued event", () => {
    const props = { query: "rust", results: 3 };
    const made = makeEvent("search_query", props, NOW);
    props.results = 99;
    expect(made.ok && made.event.props).toEqual({ query: "rust", results: 3 });
  });

  it("refuses props over the contract's size limit", () => {
    const made = makeEvent("search_query", { query: "x".repeat(LIMITS.maxPropsBytes) }, NOW);
    expect(made).toEqual({ ok: false, problem: expect.stringContaining("more than 8192") });
  });

  it("refuses props that cannot be serialized instead of throwing", () => {
    const props: Record<string, unknown> = { path: "/" };
    props.self = props;
    const made = makeEvent("page_view", props as { path: string }, NOW);
    expect(made).toEqual({ ok: false, problem: expect.stringContaining("cannot be serialized") });
    expect(makeEvent("page_view", { path: "/", n: 1n } as never, NOW).ok).toBe(false);
  });
});
