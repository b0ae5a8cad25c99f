/** Databases the worker tests create per file; the global setup drops them all at the end. */
export const TEST_DATABASE_PREFIX = "growit_w_";
