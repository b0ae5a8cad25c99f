/** Hono's environment for this worker: its bindings. */
export interface AppEnv {
  Bindings: Env;
}
