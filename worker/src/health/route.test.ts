import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { Browser, testEnv } from "../../test/fixtures.ts";

let env: Env;
beforeAll(async () => {
  ({ env } = await testEnv("health"));
});

const passed = { ok: true, ms: expect.any(Number) };
const failed = { ok: false, ms: expect.any(Number) };

/** Where the parts live: none of it is anyone's business but the operator's. */
const HIDDEN_S3 = { S3_ENDPOINT: "http://127.0.0.1:1", S3_BUCKET: "hidden-bucket-name" };
const HIDDEN_PG = { DATABASE_URL: "postgres://hidden-user:secret@hidden-db.example:5432/hidden_db" };
const HIDDEN = /127\.0\.0\.1|hidden|example|relay|address/i;

describe("GET /api/health", () => {
  it("answers 200 through the worker's entry point when S3 and Postgres answer", async () => {
    const response = await new Browser().request("/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", checks: { s3: passed, postgres: passed } });
  });

  it.each([
    ["s3", HIDDEN_S3, { s3: failed, postgres: passed }],
    ["postgres", HIDDEN_PG, { s3: passed, postgres: failed }],
    ["s3, postgres", { ...HIDDEN_S3, ...HIDDEN_PG }, { s3: failed, postgres: failed }],
  ] as const)("names the part that fails (%s), never where it is or why", async (failing, broken, checks) => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await new Browser({ ...env, ...broken }).request("/api/health");
    const checksLogged = logged.mock.calls.flat().filter((line) => line?.msg === "health check failed");
    logged.mockRestore();
    // Where and why go to the operator's log only, as fields.
    expect(checksLogged.map((line) => line.check).sort()).toEqual(failing.split(", ").sort());
    for (const line of checksLogged) {
      expect(line).toMatchObject({ route: "GET /api/health", path: "/api/health", error: expect.any(String) });
    }
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: `unavailable: ${failing}`, checks });
    expect(text).not.toMatch(HIDDEN);
    expect(text).not.toContain(new URL(inject("s3Endpoint")).host);
  });
});
