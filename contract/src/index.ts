export * from "./events.ts";
export * from "./limits.ts";
export * from "./password.ts";
export * from "./rejects.ts";
export * from "./s3-client.ts";
export * from "./s3-layout.ts";
export * from "./uuid.ts";
