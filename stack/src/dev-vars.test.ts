import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDotenv, writeDevVars } from "./dev-vars.ts";
import { EMBEDDED_PG } from "./local.ts";

const dir = mkdtempSync(join(tmpdir(), "growit-devvars-"));
const path = join(dir, ".dev.vars");
/** What a running relay hands `npm start` (its address and the secret of this start). */
const relayWsProxy = `127.0.0.1:5480/${"ab".repeat(32)}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(".dev.vars", () => {
  it("holds the local defaults and a generated session secret", () => {
    const vars = writeDevVars({ databaseUrl: EMBEDDED_PG.url, relayWsProxy, env: {}, path });
    const read = parseDotenv(readFileSync(path, "utf8"));
    expect(read).toEqual(vars);
    expect(Object.fromEntries(read)).toMatchObject({
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      DATABASE_URL: EMBEDDED_PG.url,
      NEON_WS_PROXY: relayWsProxy,
    });
    expect(read.get("SESSION_SECRET")).toMatch(/^[0-9a-f]{64}$/);
    expect(read.get("BRONZE_SEAL_KEY")).toMatch(/^[0-9a-f]{64}$/);
    expect(read.get("BRONZE_SEAL_KEY")).not.toBe(read.get("SESSION_SECRET"));
    expect(read.has("S3_ENDPOINT")).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("keeps the secrets and hand-added keys on the next start; env values win", () => {
    const first = parseDotenv(readFileSync(path, "utf8"));
    writeFileSync(path, `${readFileSync(path, "utf8")}MY_FLAG=1\n`);
    const url = "postgres://u:p#a ss@db.example:5432/x?sslmode=require";
    writeDevVars({
      databaseUrl: url,
      relayWsProxy,
      env: { S3_ENDPOINT: "https://acc.r2.cloudflarestorage.com", S3_ACCESS_KEY_ID: "AK", S3_BUCKET: "b" },
      path,
    });
    const read = parseDotenv(readFileSync(path, "utf8"));
    expect(read.get("SESSION_SECRET")).toBe(first.get("SESSION_SECRET"));
    expect(read.get("BRONZE_SEAL_KEY")).toBe(first.get("BRONZE_SEAL_KEY"));
    expect(read.get("MY_FLAG")).toBe("1");
    expect(read.get("DATABASE_URL")).toBe(url);
    expect(read.get("S3_ENDPOINT")).toBe("https://acc.r2.cloudflarestorage.com");
    expect(read.get("S3_BUCKET")).toBe("b");
    expect(read.get("S3_ACCESS_KEY_ID")).toBe("AK");
    expect(read.get("S3_SECRET_ACCESS_KEY")).toBe("S3RVER");
  });

  it("uses no relay for a Neon endpoint, and SESSION_SECRET from env wins", () => {
    writeDevVars({
      databaseUrl: "postgres://u:p@ep-x-123.eu-central-1.aws.neon.tech/db",
      relayWsProxy,
      env: { SESSION_SECRET: "from-env" },
      path,
    });
    const read = parseDotenv(readFileSync(path, "utf8"));
    expect(read.has("NEON_WS_PROXY")).toBe(false);
    expect(read.get("SESSION_SECRET")).toBe("from-env");
    expect(read.has("S3_ENDPOINT")).toBe(false);
  });

  it("is 0600 after a start even when the file it replaces was readable by others", () => {
    chmodSync(path, 0o644);
    writeDevVars({ databaseUrl: EMBEDDED_PG.url, relayWsProxy, env: {}, path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([".dev.vars"]);
  });

  it("takes another relay named in the environment over the local one", () => {
    writeDevVars({ databaseUrl: EMBEDDED_PG.url, relayWsProxy, env: { NEON_WS_PROXY: "10.0.0.5:6000/s" }, path });
    expect(parseDotenv(readFileSync(path, "utf8")).get("NEON_WS_PROXY")).toBe("10.0.0.5:6000/s");
  });
});
