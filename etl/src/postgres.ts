import { maskDatabaseUrl, type Queryable } from "@growit/contract";
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

/** A client or a pool as the contract's Queryable. */
export const queryable = (client: pg.ClientBase | pg.Pool): Queryable => ({
  query: async <Row>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as Row[],
});
