import type { TestProject } from "vitest/node";
import { postgresTarget } from "../../stack/src/local.ts";
import { migrate } from "../../stack/src/migrate.ts";
import { startNeonRelay } from "../../stack/src/neon-relay.ts";
import { createScratchDatabase, dropDatabases } from "../../stack/src/test-db.ts";
import { testPort } from "../../stack/src/test-ports.ts";
import { TEST_DATABASE_PREFIX } from "./test-database-prefix.ts";

/** Not the local stack's 5480, so that tests run beside a running `npm start`. */
const TEST_RELAY_PORT = testPort(5491);

/**
 * A fresh, migrated database on the real PostgreSQL named by TEST_DATABASE_URL (each test
 * file copies it as a template), another for the worker's own bindings (a template must have
 * no connections while it is copied, and requests through SELF keep some), and a Neon WebSocket
 * relay to that server, announced to the worker tests as `databaseUrl`, `selfDatabaseUrl` and
 * `neonWsProxy` (the relay's address with its secret).
 */
export default async function setup(project: TestProject) {
  const database = await createScratchDatabase();
  const self = await createScratchDatabase();
  await migrate(database.url);
  await migrate(self.url);
  const relay = await startNeonRelay({ target: postgresTarget(database.url), port: TEST_RELAY_PORT });
  project.provide("databaseUrl", database.url);
  project.provide("selfDatabaseUrl", self.url);
  project.provide("neonWsProxy", relay.wsProxy);
  return async () => {
    await relay.close();
    await dropDatabases(TEST_DATABASE_PREFIX);
    await database.drop();
    await self.drop();
  };
}
