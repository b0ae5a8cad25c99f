import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "../../stack/src/migrate.ts";
import { spawnS3Server } from "../../stack/src/s3-server.ts";
import { createScratchDatabase } from "../../stack/src/test-db.ts";
import { testPort } from "../../stack/src/test-ports.ts";

/** Not the local stack's 9000 nor the worker tests' 9101, so that they can run side by side. */
const TEST_S3_PORT = testPort(9020);

/** A real s3rver and a fresh, migrated database, announced as `s3Endpoint` and `databaseUrl`. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "growit-etl-s3-"));
  const server = await spawnS3Server({ port: TEST_S3_PORT, directory: dir });
  const database = await createScratchDatabase();
  try {
    await migrate(database.url);
  } catch (error) {
    await database.drop();
    await server.close();
    throw error;
  }
  project.provide("s3Endpoint", server.endpoint);
  project.provide("databaseUrl", database.url);
  return async () => {
    await database.drop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
}
