// What test/global-setup.ts hands the ETL tests.
declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
    databaseUrl: string;
  }
}

export {};
