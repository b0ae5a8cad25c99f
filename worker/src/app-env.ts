import type { Role } from "@growit/contract";
import type { Db } from "./db/client.ts";

/** Who the session says is calling. */
export interface SessionUser {
  username: string;
  role: Role;
  /**
   * The session's row in app.sessions; null for a token signed before sessions were recorded,
   * which ingestion still trusts and account and analyst routes refuse.
   */
  sessionId: string | null;
}

/** Hono's environment for this worker: its bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    /**
     * null for anonymous callers (no, expired or tampered session). From the token's signature
     * alone, until `liveUser` (account and analyst routes) replaces it with what Postgres says.
     */
    user: SessionUser | null;
    /** The caller as Postgres confirmed them, once `liveUser` has run in this request. */
    liveUser?: SessionUser;
  };
}
