// What the Node-side global setups hand the tests inside workerd.
import type { StoredFixtureFile } from "./export-fixture.ts";

declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
    /** The same S3 server through a wire that tests can make misbehave (s3-wire.ts): what SELF's bindings use. */
    s3WireEndpoint: string;
    databaseUrl: string;
    /** The database of the worker's own bindings, for requests through SELF. */
    selfDatabaseUrl: string;
    neonWsProxy: string;
    /** The silver files of export-fixture.ts, stored in the bucket of the worker's own bindings. */
    exportFixture: StoredFixtureFile[];
  }
}
