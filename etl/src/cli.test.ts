import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { collectOutput } from "../../stack/src/children.ts";
import { freshBucket, resetDatabase, testConfig } from "../test/fixtures.ts";
import type { EtlConfig } from "./config.ts";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = collectOutput(child.stdout);
  const err = collectOutput(child.stderr);
  // "close", not "exit": the output is complete only once the streams are.
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, out: out(), err: err() })));
}

let config: EtlConfig;
const envOf = (c: EtlConfig): NodeJS.ProcessEnv => ({
  S3_ENDPOINT: c.s3.endpoint,
  S3_REGION: c.s3.region,
  S3_BUCKET: c.s3.bucket,
  S3_ACCESS_KEY_ID: c.s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: c.s3.secretAccessKey,
  DATABASE_URL: c.databaseUrl,
});

beforeAll(async () => {
  await resetDatabase();
  config = testConfig(await freshBucket());
});

describe("etl cli", () => {
  it("prints the usage of the command and exits 2 on unknown flags or commands", async () => {
    const cases = [
      [["run", "--date", "2026-01-05", "--verbose"], "usage: npm run etl -- run "],
      [["run"], "usage: npm run etl -- run "],
      [["work", "--pending"], "usage: npm run etl -- work "],
      [["frobnicate"], "usage: npm run etl -- <command>"],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => cli([...args])));
    for (const [i, result] of results.entries()) {
      expect(result.code).toBe(2);
      expect(result.err).toContain(cases[i]?.[1]);
    }
  });

  it("prints the help of the CLI and of each command, and its version, and exits 0", async () => {
    const cases = [
      [["--help"], "usage: npm run etl -- <command>"],
      [["run", "--help"], "usage: npm run etl -- run "],
      [["work", "--help"], "usage: npm run etl -- work "],
    ] as const;
    const [version, ...helps] = await Promise.all([cli(["--version"]), ...cases.map(([args]) => cli([...args]))]);
    expect(version).toEqual({ code: 0, out: "0.0.0\n", err: "" });
    for (const [i, help] of helps.entries()) {
      expect(help).toMatchObject({ code: 0, err: "" });
      expect(help.out).toContain(cases[i]?.[1]);
    }
  });

  it("runs a day with --json, logging one pino-shaped JSON object per line, and exits 0", async () => {
    const result = await cli(["run", "--date", "2001-02-03", "--json"], envOf(config));
    expect(result.code).toBe(0);
    const logs = result.out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { level: number; time: number; msg: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(["day started", "day done", "summary"]));
    for (const log of logs) expect(log).toMatchObject({ level: 30, time: expect.any(Number) });
  });

  it("names the variable that is not set, with no local default to fall back on, and exits 1", async () => {
    const result = await cli(["run", "--date", "2001-02-03"], { ...envOf(config), S3_ACCESS_KEY_ID: undefined });
    expect(result.code).toBe(1);
    const [log] = result.out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log).toMatchObject({ level: 50, msg: "etl failed to start", error: "S3_ACCESS_KEY_ID is not set" });
  });

  it("names an unreachable S3 or Postgres and exits 1", async () => {
    const noS3 = await cli(["run", "--date", "2001-02-03"], { ...envOf(config), S3_ENDPOINT: "http://127.0.0.1:9" });
    expect(noS3.code).toBe(1);
    expect(noS3.out).toMatch(/S3 at http:\/\/127\.0\.0\.1:9 \(bucket etl-\w+\) is unreachable/);
    const noPg = await cli(["run", "--date", "2001-02-03"], {
      ...envOf(config),
      DATABASE_URL: "postgres://etl:secret@127.0.0.1:9/growit",
    });
    expect(noPg.code).toBe(1);
    expect(noPg.out).toContain("Postgres at postgres://etl:***@127.0.0.1:9/growit is unreachable");
  });
});
