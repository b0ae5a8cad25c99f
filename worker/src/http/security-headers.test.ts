// Through the worker's real entry point (SELF), as a browser reaches it.
import { describe, expect, it } from "vitest";
import spaHeaders from "../../../web/static/_headers?raw";
import { Browser } from "../../test/fixtures.ts";
import { HSTS } from "./security-headers.ts";

describe("security headers", () => {
  it.each([
    ["/api/events", {}],
    ["/api/events", { method: "POST", headers: { "content-type": "text/plain" } }],
    ["/api/nowhere", {}],
    ["/api/health", {}],
  ] as const)("are on every API answer (%s)", async (path, init) => {
    const response = await new Browser().request(path, init);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it.each(["/api/health", "/api/nowhere"])("carry Strict-Transport-Security over HTTPS only (%s)", async (path) => {
    const https = await new Browser().request(`https://growit.example${path}`);
    expect(https.headers.get("strict-transport-security")).toBe(HSTS);
    const http = await new Browser().request(`http://growit.example${path}`);
    expect(http.headers.get("strict-transport-security")).toBeNull();
  });

  it("are the SPA's Strict-Transport-Security too (static, so browsers heed it over HTTPS only)", () => {
    expect(spaHeaders).toContain(`\n  Strict-Transport-Security: ${HSTS}\n`);
  });
});
