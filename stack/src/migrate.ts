// Applies migrations/*.sql (postgrator naming: 001.do.create-schemas.sql, ...)
// with postgrator over node-postgres. Works on PostgreSQL 15+/Neon and on the
// embedded PGlite socket server. Each file runs as one simple-protocol query,
// so Postgres executes it in one implicit transaction: a failing file leaves
// nothing behind. Postgrator records versions and checksums in
// public.schemaversion and refuses to go on if an applied file was edited.
import { join } from "node:path";
import Postgrator from "postgrator";
import { REPO_ROOT } from "./local.ts";
import { withClient } from "./pg-client.ts";

export const MIGRATIONS_DIR = join(REPO_ROOT, "migrations");

export interface MigrateOptions {
  migrationsDir?: string;
  /** Called with the file name of each migration as it is applied. */
  onMigration?: (filename: string) => void;
}

/** Brings the database up to the newest migration; returns the applied file names. */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  const dir = options.migrationsDir ?? MIGRATIONS_DIR;
  return withClient(databaseUrl, async (client) => {
    const database = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, "")) || "postgres";
    const postgrator = new Postgrator({
      migrationPattern: join(dir, "*.sql"),
      driver: "pg",
      database,
      schemaTable: "schemaversion",
      execQuery: (query) => client.query(query),
      execSqlScript: async (sql) => {
        await client.query(sql);
      },
    });
    if (options.onMigration) {
      const report = options.onMigration;
      postgrator.on("migration-started", (m) => report(m.filename.slice(dir.length + 1)));
    }
    const applied = await postgrator.migrate();
    return applied.map((m) => m.filename.slice(dir.length + 1));
  });
}
