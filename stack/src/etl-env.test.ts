import { describe, expect, it } from "vitest";
import { configFromEnv } from "../../etl/src/config.ts";
import { devVars } from "./dev-vars.ts";
import { etlEnv } from "./etl-env.ts";
import { EMBEDDED_PG } from "./local.ts";

const relayWsProxy = `127.0.0.1:5480/${"ab".repeat(32)}`;

describe("the environment of npm start's ETL", () => {
  it("names the local services and the worker's seal key, which the ETL does not default to", () => {
    const workerVars = devVars({ databaseUrl: EMBEDDED_PG.url, relayWsProxy, env: {} });
    const config = configFromEnv(etlEnv(workerVars, {}));
    expect(config.s3).toEqual({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      bucket: "growit",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    });
    expect(config.databaseUrl).toBe(EMBEDDED_PG.url);
    expect(config.sealSecret).toBe(workerVars.get("BRONZE_SEAL_KEY"));
  });

  it("names the outside services the worker was given", () => {
    const env = {
      S3_ENDPOINT: "https://acc.r2.cloudflarestorage.com",
      S3_REGION: "auto",
      S3_BUCKET: "prod",
      S3_ACCESS_KEY_ID: "AK",
      S3_SECRET_ACCESS_KEY: "SK",
      ETL_THREADS: "2",
    };
    const databaseUrl = "postgres://u:p@db.example:5432/x";
    const config = configFromEnv(etlEnv(devVars({ databaseUrl, relayWsProxy, env }), env));
    expect(config.s3).toEqual({
      endpoint: "https://acc.r2.cloudflarestorage.com",
      region: "auto",
      bucket: "prod",
      accessKeyId: "AK",
      secretAccessKey: "SK",
    });
    expect(config.databaseUrl).toBe(databaseUrl);
    expect(config.threads).toBe(2);
  });
});
