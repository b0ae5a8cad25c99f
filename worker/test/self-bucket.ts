/** The bucket the worker's own bindings write to (vitest.config.ts), which tests through its entry point (SELF) read. */
export const SELF_BUCKET = "worker-self";
