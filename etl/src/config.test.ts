import { describe, expect, it } from "vitest";
import { configFromEnv, memoryLimitFromEnv } from "./config.ts";

/** Every variable the ETL requires. */
const SERVICES = {
  S3_ENDPOINT: "https://r2.example",
  S3_REGION: "auto",
  S3_BUCKET: "prod",
  S3_ACCESS_KEY_ID: "AK",
  S3_SECRET_ACCESS_KEY: "SK",
  DATABASE_URL: "postgres://u:p@db/x",
};

describe("configFromEnv", () => {
  it("reads the worker's variables, with the ETL's own defaults", () => {
    const config = configFromEnv(SERVICES);
    expect(config.s3).toEqual({
      endpoint: "https://r2.example",
      region: "auto",
      bucket: "prod",
      accessKeyId: "AK",
      secretAccessKey: "SK",
    });
    expect(config.databaseUrl).toBe("postgres://u:p@db/x");
    expect(config.memoryLimit).toBe("384MB");
    expect(config.cacheDir).toMatch(/growit-etl-cache-prod$/);
    expect(config.downloadConcurrency).toBe(8);
    expect(config.threads).toBeUndefined();
    expect(config.sealSecret).toBeUndefined();
  });

  it("reads the ETL's own variables", () => {
    const config = configFromEnv({
      ...SERVICES,
      ETL_MEMORY_LIMIT: "2GB",
      ETL_THREADS: "4",
      ETL_DOWNLOAD_CONCURRENCY: "16",
      ETL_CACHE_DIR: "/var/cache/etl",
      BRONZE_SEAL_KEY: "seal",
    });
    expect(config).toMatchObject({
      memoryLimit: "2GB",
      threads: 4,
      downloadConcurrency: 16,
      cacheDir: "/var/cache/etl",
      sealSecret: "seal",
    });
  });

  it.each(Object.keys(SERVICES))("stops when %s is missing or blank, naming it", (name) => {
    expect(() => configFromEnv({ ...SERVICES, [name]: undefined })).toThrow(`${name} is not set`);
    expect(() => configFromEnv({ ...SERVICES, [name]: "  " })).toThrow(`${name} is not set`);
  });

  it("names every missing variable at once", () => {
    expect(() => configFromEnv({})).toThrow(
      "S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, DATABASE_URL are not set",
    );
  });

  it("refuses a nonsense number", () => {
    expect(() => configFromEnv({ ...SERVICES, ETL_THREADS: "two" })).toThrow(/ETL_THREADS must be a positive integer/);
  });
});

describe("memoryLimitFromEnv", () => {
  it("reads ETL_MEMORY_LIMIT, else the ETL's default, without the other variables", () => {
    expect(memoryLimitFromEnv({})).toBe("384MB");
    expect(memoryLimitFromEnv({ ETL_MEMORY_LIMIT: "1GB" })).toBe("1GB");
  });
});
