import type { S3Config } from "@growit/contract";

/** The bucket this worker writes to, from its bindings. */
export const s3ConfigFromEnv = (env: Env): S3Config => ({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  bucket: env.S3_BUCKET,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
});
