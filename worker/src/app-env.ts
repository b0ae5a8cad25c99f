import type { Role } from "@growit/contract";
import type { Db } from "./db/client.ts";

/** Who the session says is calling. */
export interface SessionUser {
  username: string;
  role: Role;
}

/** Hono's environment for this worker: its bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    /** null for anonymous callers (no, expired or tampered session). */
    user: SessionUser | null;
  };
}
