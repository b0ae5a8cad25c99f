// What the Node-side global setups hand the tests inside workerd.
declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
    /** The same S3 server through a wire that tests can make misbehave (s3-wire.ts): what SELF's bindings use. */
    s3WireEndpoint: string;
    databaseUrl: string;
    /** The database of the worker's own bindings, for requests through SELF. */
    selfDatabaseUrl: string;
    neonWsProxy: string;
  }
}

export {};
