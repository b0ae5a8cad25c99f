// The embedded Postgres: PGlite with its data in <data>/pg, served on the
// Postgres wire protocol by @electric-sql/pglite-socket on 127.0.0.1:5433, so
// that the worker (through the Neon relay), migrations, the ETL and psql reach
// it like any Postgres. Used only when DATABASE_URL is unset.
//
// pglite-socket allows one client by default (maxConnections: 1) and does not
// keep concurrent clients apart; see session-queue.ts for what was measured
// and how SessionQueue fixes it. We raise maxConnections and install that
// queue in place of pglite-socket's own (a private field: checked against
// pglite-socket 0.2.17 and covered by postgres.test.ts).
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { EMBEDDED_PG } from "./local.ts";
import { SessionQueue } from "./session-queue.ts";

export interface EmbeddedPostgresOptions {
  /** Directory for PGlite's files (created if missing). */
  dataDir: string;
  host?: string;
  port?: number;
  /** Concurrent client connections accepted (default 64). */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  url: string;
  db: PGlite;
  /** Stops accepting clients and closes PGlite so its files are consistent. */
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = options.host ?? EMBEDDED_PG.host;
  const port = options.port ?? EMBEDDED_PG.port;
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host,
    port,
    maxConnections: options.maxConnections ?? 64,
  });
  const internals = server as unknown as { queryQueue: unknown };
  if (!("queryQueue" in internals)) {
    throw new Error("pglite-socket changed: PGLiteSocketServer has no queryQueue to replace");
  }
  internals.queryQueue = new SessionQueue(db);
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    db,
    stop: () => {
      stopped ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}
