import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3 } from "@growit/contract";
import type { TestProject } from "vitest/node";
import { S3 as LOCAL_S3 } from "../../stack/src/local.ts";
import { spawnS3Server } from "../../stack/src/s3-server.ts";
import { testPort } from "../../stack/src/test-ports.ts";
import { writeExportFixture } from "./export-fixture-writer.ts";
import { startS3Wire } from "./s3-wire.ts";
import { SELF_BUCKET } from "./self-bucket.ts";

/** Not the local stack's 9000, so that tests run beside a running `npm start`. */
const TEST_S3_PORT = testPort(9101);

/**
 * A real s3rver for the worker tests, announced to them as `s3Endpoint`, and the wire in front of
 * it that the worker's own bindings reach it through (s3-wire.ts), as `s3WireEndpoint`; and in the
 * bucket of those bindings, the silver files the export tests read (export-fixture.ts), as
 * `exportFixture`.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "growit-worker-s3-"));
  const server = await spawnS3Server({ port: TEST_S3_PORT, directory: dir });
  // The bucket of the worker's own bindings (vitest.config.ts), for tests through SELF.
  const self = new S3({ ...LOCAL_S3, endpoint: server.endpoint, bucket: SELF_BUCKET });
  const created = await self.send("", { method: "PUT" });
  if (!created.ok) throw new Error(`creating bucket ${SELF_BUCKET}: HTTP ${created.status} ${await created.text()}`);
  const exportFixture = await writeExportFixture(self);
  const wire = await startS3Wire({ target: server.endpoint });
  project.provide("s3Endpoint", server.endpoint);
  project.provide("s3WireEndpoint", wire.endpoint);
  project.provide("exportFixture", exportFixture);
  return async () => {
    await wire.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
}
