import { env } from "cloudflare:test";
import { S3 } from "@growit/contract";
import { inject } from "vitest";
import { s3ConfigFromEnv } from "../src/storage/s3.ts";

/** An environment whose bucket is a fresh one on the test s3rver, and a client to look into it. */
export async function freshBucket(name: string): Promise<{ env: Env; s3: S3 }> {
  const bucket = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  const testEnv: Env = { ...env, S3_ENDPOINT: inject("s3Endpoint"), S3_BUCKET: bucket };
  const s3 = new S3(s3ConfigFromEnv(testEnv));
  const created = await s3.send("", { method: "PUT" });
  if (!created.ok) throw new Error(`creating bucket ${bucket}: HTTP ${created.status} ${await created.text()}`);
  return { env: testEnv, s3 };
}

/** Every JSON line stored under `prefix`, by object key. */
export async function objectsUnder(s3: S3, prefix: string): Promise<Map<string, unknown[]>> {
  const objects = new Map<string, unknown[]>();
  for (const key of await s3.list(prefix)) {
    const text = await s3.getText(key);
    objects.set(
      key,
      text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
    );
  }
  return objects;
}
