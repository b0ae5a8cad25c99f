// What the Node-side global setups hand the tests inside workerd.
declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
    databaseUrl: string;
    /** The database of the worker's own bindings, for requests through SELF. */
    selfDatabaseUrl: string;
    neonWsProxy: string;
  }
}

export {};
