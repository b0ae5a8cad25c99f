import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3 } from "./local.ts";
import { legacyCryptoAvailable, runS3Server, type SpawnedS3Server, spawnS3Server } from "./s3-server.ts";

// A port next to the fixed one, so a running `npm start` does not break the test.
const PORT = 9010;
const dir = mkdtempSync(join(tmpdir(), "growit-s3-"));
const aws = new AwsClient({
  accessKeyId: S3.accessKeyId,
  secretAccessKey: S3.secretAccessKey,
  region: S3.region,
  service: "s3",
});
const base = `http://127.0.0.1:${PORT}/${S3.bucket}`;

async function listPage(token?: string): Promise<{ keys: string[]; next?: string }> {
  const url = new URL(`${base}?list-type=2&max-keys=2&prefix=bronze/`);
  if (token) url.searchParams.set("continuation-token", token);
  const res = await aws.fetch(url.toString());
  const xml = await res.text();
  expect(res.status, xml).toBe(200);
  const keys = [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1] ?? "");
  const next = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(xml)?.[1];
  return next === undefined ? { keys } : { keys, next };
}

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
    const put = await aws.fetch(`${base}/hello.txt`, { method: "PUT", body: "hi" });
    expect(put.status).toBe(200);
    const get = await aws.fetch(`${base}/hello.txt`);
    expect(await get.text()).toBe("hi");
  });

  it("pages ListObjectsV2 with continuation tokens (needs the legacy OpenSSL provider)", async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `bronze/app/2026/11/25/part-${i}.jsonl`);
    for (const key of keys) {
      const res = await aws.fetch(`${base}/${key}`, { method: "PUT", body: `{"i":${key}}\n` });
      expect(res.status).toBe(200);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await listPage(token);
      seen.push(...page.keys);
      token = page.next;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(keys);
  });

  it("keeps its data across a restart", async () => {
    await server.close();
    server = await spawnS3Server({ directory: dir, port: PORT });
    const get = await aws.fetch(`${base}/hello.txt`);
    expect(await get.text()).toBe("hi");
  });

  it("refuses to run in a process without the legacy provider", async () => {
    // vitest's workers run without --openssl-legacy-provider.
    expect(legacyCryptoAvailable()).toBe(false);
    await expect(runS3Server({ directory: dir, port: PORT + 1 })).rejects.toThrow(/openssl-legacy-provider/);
  });
});
