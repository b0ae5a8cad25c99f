// What the Node-side global setup hands the tests inside workerd.
declare module "vitest" {
  export interface ProvidedContext {
    s3Endpoint: string;
  }
}

export {};
