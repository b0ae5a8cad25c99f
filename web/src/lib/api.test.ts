import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, api } from "./api.ts";

/** Stubs fetch with one answer and records the requests made. */
function answer(status: number, body: string, headers: Record<string, string> = {}) {
  const requests: Request[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      requests.push(new Request(new URL(url, "http://app.test"), init));
      return new Response(body, { status, headers: { "content-type": "application/json", ...headers } });
    }),
  );
  return requests;
}

const failure = (call: Promise<unknown>) =>
  call.then(
    () => expect.fail("the call succeeded"),
    (error: unknown) => {
      expect(error).toBeInstanceOf(ApiError);
      return error as ApiError;
    },
  );

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("api", () => {
  it("sends a route's input as the worker takes it, and answers its data", async () => {
    const requests = answer(200, JSON.stringify({ query: "a b", results: [] }), {
      "x-growit-saved-at": "2026-01-02T03:04:05Z",
    });
    const { data, savedAt } = await api.search("a b", 2);
    expect(data).toEqual({ query: "a b", results: [] });
    expect(savedAt).toEqual(new Date("2026-01-02T03:04:05Z"));
    expect(requests[0]?.url).toBe("http://app.test/api/search?q=a+b&page=2&limit=20");
    expect(requests[0]?.credentials).toBe("same-origin");
  });

  it("posts JSON bodies", async () => {
    const requests = answer(200, JSON.stringify({ username: "u" }));
    await api.login({ username: "u", password: "p" });
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.headers.get("content-type")).toBe("application/json");
    expect(await requests[0]?.json()).toEqual({ username: "u", password: "p" });
  });

  it("reads retry_after of a 429 into retryAfter", async () => {
    answer(
      429,
      JSON.stringify({ error: "too many failed logins; try again in 42 s", retryable: true, retry_after: 42 }),
    );
    const error = await failure(api.login({ username: "u", password: "p" }));
    expect(error).toMatchObject({ status: 429, retryAfter: 42, message: "too many failed logins; try again in 42 s" });
  });

  it("reads the error of a refusal, which says no wait", async () => {
    answer(401, JSON.stringify({ error: "wrong username or password" }));
    const error = await failure(api.login({ username: "u", password: "p" }));
    expect(error).toMatchObject({ status: 401, retryAfter: undefined, message: "wrong username or password" });
  });

  it("names the status of an answer that is not the worker's", async () => {
    answer(502, "<html>bad gateway</html>", { "content-type": "text/html" });
    expect(await failure(api.me())).toMatchObject({ status: 502, message: "HTTP 502" });
  });

  it("says status 0 when the API cannot be reached", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    expect(await failure(api.categories())).toMatchObject({ status: 0 });
  });
});
