import type { S3 } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, signedIn, testEnv } from "../../test/fixtures.ts";
import { readableKey } from "./route.ts";

let env: Env;
let s3: S3;
const parquet = "PAR1 0123456789 abcdefghijklmnopqrstuvwxyz PAR1";
beforeAll(async () => {
  ({ env, s3 } = await testEnv("exports"));
  await s3.put("exports/manifest.json", '{"files":[]}', "application/json");
  await s3.put("exports/mart/daily_events.parquet", parquet, "application/vnd.apache.parquet");
  await s3.put("silver/events/event_date=2026-11-25/part-0.parquet", parquet, "application/vnd.apache.parquet");
  await s3.put("bronze/app/2026/11/25/part-000000000-x.jsonl", '{"secret":true}\n', "application/x-ndjson");
});

const as = async (role: "analyst" | "learner") => (await signedIn(role, env)).browser;

describe("GET /api/exports", () => {
  it("serves the manifest and exports to analysts", async () => {
    const analyst = await as("analyst");
    const manifest = await analyst.request("/api/exports/manifest");
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await manifest.json()).toEqual({ files: [] });
    const mart = await analyst.request("/api/exports/exports/mart/daily_events.parquet");
    expect(mart.status).toBe(200);
    expect(mart.headers.get("accept-ranges")).toBe("bytes");
    expect(await mart.text()).toBe(parquet);
  });

  it("honours Range with 206 and Content-Range", async () => {
    const analyst = await as("analyst");
    const response = await analyst.request("/api/exports/silver/events/event_date=2026-11-25/part-0.parquet", {
      headers: { range: "bytes=5-14" },
    });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 5-14/${parquet.length}`);
    expect(await response.text()).toBe(parquet.slice(5, 15));
  });

  it("answers 304 to If-None-Match with the current ETag", async () => {
    const analyst = await as("analyst");
    const first = await analyst.request("/api/exports/exports/mart/daily_events.parquet");
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    await first.body?.cancel();
    const again = await analyst.request("/api/exports/exports/mart/daily_events.parquet", {
      headers: { "if-none-match": etag ?? "" },
    });
    expect(again.status).toBe(304);
  });

  it("refuses learners and anonymous callers", async () => {
    expect((await (await as("learner")).request("/api/exports/manifest")).status).toBe(403);
    expect((await new Browser(env).request("/api/exports/manifest")).status).toBe(401);
  });

  it.each([
    "bronze/app/2026/11/25/part-000000000-x.jsonl",
    "exports/../bronze/app/2026/11/25/part-000000000-x.jsonl",
    "exports/%2e%2e/bronze/app/2026/11/25/part-000000000-x.jsonl",
    "exports%2F..%2Fbronze%2Fapp%2F2026%2F11%2F25%2Fpart-000000000-x.jsonl",
    "exports/",
    "",
    "silver//x",
  ])("refuses %j with 404 and never reaches outside exports/ and silver/", async (path) => {
    const response = await (await as("analyst")).request(`/api/exports/${path}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("secret");
  });

  it("says 404 for an export that does not exist yet", async () => {
    const response = await (await as("analyst")).request("/api/exports/exports/mart/nothing.parquet");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "no export exports/mart/nothing.parquet yet: has the ETL run?" });
  });
});

describe("readableKey", () => {
  it("accepts keys under exports/ and silver/ only", () => {
    expect(readableKey("exports/mart/daily_events.parquet")).toBe("exports/mart/daily_events.parquet");
    expect(readableKey("silver/events/event_date%3D2026-11-25/part-0.parquet")).toBe(
      "silver/events/event_date=2026-11-25/part-0.parquet",
    );
    expect(readableKey("exports/a/../../bronze/x")).toBeNull();
    expect(readableKey("%E0%A4%A")).toBeNull();
    expect(readableKey("exportsX/y")).toBeNull();
  });
});
