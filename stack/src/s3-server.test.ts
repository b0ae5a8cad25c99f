import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3 as S3Client } from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3 } from "./local.ts";
import { legacyCryptoAvailable, runS3Server, type SpawnedS3Server, spawnS3Server } from "./s3-server.ts";

// A port next to the fixed one, so a running `npm start` does not break the test.
const PORT = 9010;
const dir = mkdtempSync(join(tmpdir(), "growit-s3-"));
const bucket = new S3Client({ ...S3, endpoint: `http://127.0.0.1:${PORT}` });

describe("s3 server", () => {
  let server: SpawnedS3Server;
  beforeAll(async () => {
    server = await spawnS3Server({ directory: dir, port: PORT });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves bucket growit with put/get, path-style, signed with the local keys", async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${PORT}`);
    await bucket.put("hello.txt", "hi", "text/plain");
    expect(await bucket.getText("hello.txt")).toBe("hi");
  });

  it("pages ListObjectsV2 with continuation tokens (needs the legacy OpenSSL provider)", async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `bronze/app/2026/11/25/part-${i}.jsonl`);
    for (const key of keys) await bucket.put(key, `{"key":"${key}"}\n`, "application/x-ndjson");
    // Two keys a page: three pages, each after the first asked for with a continuation token.
    expect(await bucket.list("bronze/", { pageSize: 2 })).toEqual(keys);
  });

  it("keeps its data across a restart", async () => {
    await server.close();
    server = await spawnS3Server({ directory: dir, port: PORT });
    expect(await bucket.getText("hello.txt")).toBe("hi");
  });

  it("refuses to run in a process without the legacy provider", async () => {
    // vitest's workers run without --openssl-legacy-provider.
    expect(legacyCryptoAvailable()).toBe(false);
    await expect(runS3Server({ directory: dir, port: PORT + 1 })).rejects.toThrow(/openssl-legacy-provider/);
  });
});
