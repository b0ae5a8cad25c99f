import { maskDatabaseUrl } from "@growit/contract";
import pg from "pg";

/** A pool on DATABASE_URL that has answered once; an unreachable Postgres is an error naming it. */
export async function connectPostgres(databaseUrl: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(
      `Postgres at ${maskDatabaseUrl(databaseUrl)} is unreachable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return pool;
}

/** Runs `work` inside one transaction on `client`: all of it commits, or none. */
export async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
