import { describe, expect, it } from "vitest";
import { app } from "../app.ts";

describe("security headers", () => {
  it.each([
    ["/api/events", { method: "GET" }],
    ["/api/events", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }],
    ["/api/nowhere", {}],
  ] as const)("are on every API answer (%s)", async (path, init) => {
    const response = await app.request(path, init, { SESSION_SECRET: "x" } as Env);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
  });
});
