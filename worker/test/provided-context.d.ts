// What the Node-side global setups hand the tests inside workerd.
declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
    databaseUrl: string;
    neonWsProxy: string;
  }
}

export {};
