// `npm run migrate`: applies migrations/ to DATABASE_URL.
import { maskDatabaseUrl } from "@growit/contract";
import { migrate } from "./migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set (npm start migrates the embedded Postgres by itself)");
  process.exit(2);
}
try {
  const applied = await migrate(url, { onMigration: (f) => console.log(`applying ${f}`) });
  console.log(`${maskDatabaseUrl(url)}: ${applied.length ? `applied ${applied.length} migration(s)` : "up to date"}`);
} catch (error) {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
