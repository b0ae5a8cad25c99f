import { neonConfig, Pool } from "@neondatabase/serverless";
import { HTTPException } from "hono/http-exception";
import { logError } from "../log.ts";

/**
 * Points the Neon driver at a local WebSocket-to-TCP relay when NEON_WS_PROXY is set
 * (local mode: `host:port/<the relay's secret>`); otherwise it speaks to Neon's own endpoint
 * over secure WebSockets.
 */
function configureNeon(wsProxy: string): void {
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  // Postgres 15 refuses a SASL handshake pipelined before its greeting.
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
}

/** SQLSTATE classes that mean "the database is not available", not "this query is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/;

/** Postgres cannot be reached or refused service: the client should retry (503). */
export class DatabaseUnavailable extends HTTPException {
  constructor(cause: unknown) {
    super(503, { message: "the database is unavailable; try again shortly", cause });
  }
}

/** Errors that say nothing about the query (connection refused, reset, timed out) become DatabaseUnavailable. */
function classify(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  const isQueryError = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !UNAVAILABLE_SQLSTATE.test(code);
  return isQueryError ? error : new DatabaseUnavailable(error);
}

/** A Postgres SQLSTATE of a failed query, e.g. "23505" for a unique violation. */
export const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
};

export interface Db {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Ends the connections this request opened, if any. */
  close(): Promise<void>;
}

/**
 * A database handle for one request. The pool is opened on first use and must be
 * closed before the request ends: Workers do not let a socket outlive its request.
 */
export function openDb(env: Env): Db {
  let pool: Pool | undefined;
  let closing = false;
  return {
    async query<Row>(text: string, params: unknown[] = []) {
      if (!pool) {
        configureNeon(env.NEON_WS_PROXY);
        pool = new Pool({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
        // A broken idle connection surfaces through the next query; this keeps it from being unhandled.
        // Closing drops the WebSockets, which the driver reports too: that is not worth a log line.
        pool.on("error", (error: Error) => closing || logError("postgres pool failed", error));
      }
      try {
        return (await pool.query(text, params)).rows as Row[];
      } catch (error) {
        throw classify(error);
      }
    },
    async close() {
      closing = true;
      await pool?.end().catch(() => {});
      pool = undefined;
    },
  };
}
