// The one thing the contract's database code asks of a Postgres handle, which the worker's Db and
// the ETL's pg clients (wrapped by its queryable()) both offer.

/** Runs a statement with `$n` parameters and answers its rows. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

/**
 * Runs `work` inside one transaction on `session`: all of it commits, or none. `session` must run
 * every statement on one connection (a pool's client, not the pool), and so must `work`.
 */
export async function inTransaction<T>(session: Queryable, work: () => Promise<T>): Promise<T> {
  await session.query("BEGIN");
  try {
    const result = await work();
    await session.query("COMMIT");
    return result;
  } catch (error) {
    await session.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
