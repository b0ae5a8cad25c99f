/**
 * Type-level tests: each `@ts-expect-error` line must fail to compile, or svelte-check / tsc
 * report the directive as unused. Vitest only checks that the file loads.
 */
import { describe, expect, it } from "vitest";
import { track } from "./index.ts";
import type { Tracker } from "./tracker.ts";

function typeChecks(tracker: Tracker) {
  tracker.track("page_view", { path: "/" });
  tracker.track("search_query", { query: "rust" });
  tracker.track("search_query", { query: "rust", results: 3 });
  tracker.track("video_open", { category: "ai", video_id: "v1" });
  tracker.track("course_open", { category: "ai", course_id: "c1" });
  tracker.track("category_recommendation", { category: "ai" });
  // Props are loose objects in the contract: extra keys are allowed.
  tracker.track("page_view", { path: "/", referrer: "/search" });

  // @ts-expect-error an unknown event type
  tracker.track("page_veiw", { path: "/" });
  // @ts-expect-error server-only types cannot be sent by a client
  tracker.track("login", {});
  // @ts-expect-error server-only types cannot be sent by a client
  tracker.track("recommendation_request", { category: "ai" });
  // @ts-expect-error a required prop is missing
  tracker.track("page_view", {});
  // @ts-expect-error a prop has the wrong type
  tracker.track("page_view", { path: 1 });
  // @ts-expect-error props of another event type
  tracker.track("video_open", { category: "ai", course_id: "c1" });
  // @ts-expect-error results must be a number
  tracker.track("search_query", { query: "rust", results: "3" });
  // @ts-expect-error props are required
  tracker.track("page_view");

  // The singleton has the same signature.
  track("page_view", { path: "/" });
  // @ts-expect-error a required prop is missing
  track("course_open", { category: "ai" });
  // @ts-expect-error server-only types cannot be sent by a client
  track("signup", {});
}

describe("track's types", () => {
  it("are checked by svelte-check / tsc (this file only needs to load)", () => {
    expect(typeChecks).toBeTypeOf("function");
  });
});
