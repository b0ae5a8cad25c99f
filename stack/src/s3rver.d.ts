// Minimal types for the parts of s3rver 3.x the stack uses (it ships none).
declare module "s3rver" {
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }
  /** The parts of s3rver's Koa context a middleware here uses. */
  interface S3rverContext {
    method: string;
    req: import("node:http").IncomingMessage;
    get(header: string): string;
  }
  type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;
  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** Its Koa middleware, in order (s3rver is a Koa app). */
    middleware: S3rverMiddleware[];
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
