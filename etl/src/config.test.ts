import { describe, expect, it } from "vitest";
import { configFromEnv } from "./config.ts";

describe("configFromEnv", () => {
  it("defaults to the local stack", () => {
    const config = configFromEnv({});
    expect(config.s3).toEqual({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      bucket: "growit",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    });
    expect(config.databaseUrl).toBe("postgres://postgres@127.0.0.1:5433/postgres");
    expect(config.memoryLimit).toBe("512MB");
    expect(config.threads).toBeUndefined();
  });

  it("reads the worker's variables and the ETL's own", () => {
    const config = configFromEnv({
      S3_ENDPOINT: "https://r2.example",
      S3_BUCKET: "prod",
      DATABASE_URL: "postgres://u:p@db/x",
      ETL_MEMORY_LIMIT: "2GB",
      ETL_THREADS: "4",
      ETL_DOWNLOAD_CONCURRENCY: "16",
    });
    expect(config).toMatchObject({
      s3: { endpoint: "https://r2.example", bucket: "prod" },
      databaseUrl: "postgres://u:p@db/x",
      memoryLimit: "2GB",
      threads: 4,
      downloadConcurrency: 16,
    });
  });

  it("refuses a nonsense number", () => {
    expect(() => configFromEnv({ ETL_THREADS: "two" })).toThrow(/ETL_THREADS must be a positive integer/);
  });
});
