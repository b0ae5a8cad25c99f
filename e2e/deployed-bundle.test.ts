// The worker's deployable bundle (what `wrangler deploy --dry-run` builds) started in workerd with
// real S3 and Postgres. workerd refuses random numbers, timers and I/O at module scope, and the
// Workers Vitest pool, which loads the module inside a request, cannot see a call to them there:
// a login for an unknown username answered 500 in production while every worker test passed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDeployedWorker } from "../bench/deployed-worker.ts";
import { S3 as LOCAL_S3, postgresTarget } from "../stack/src/local.ts";
import { migrate } from "../stack/src/migrate.ts";
import { startNeonRelay } from "../stack/src/neon-relay.ts";
import { spawnS3Server } from "../stack/src/s3-server.ts";
import { createScratchDatabase } from "../stack/src/test-db.ts";
import { testPort } from "../stack/src/test-ports.ts";

/** What workerd prints when code breaks its rules or throws with no one to catch it. */
const RUNTIME_FAULT = /Disallowed operation|Uncaught \(in promise\)/;

let url: string;
let output = "";
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const scratch = await mkdtemp(join(tmpdir(), "growit-deployed-bundle-"));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));
  const s3 = await spawnS3Server({ port: testPort(9300), directory: join(scratch, "s3") });
  cleanups.push(() => s3.close());
  const database = await createScratchDatabase();
  cleanups.push(() => database.drop());
  await migrate(database.url);
  const relay = await startNeonRelay({ target: postgresTarget(database.url), port: testPort(5700) });
  cleanups.push(() => relay.close());
  const worker = await startDeployedWorker({
    port: testPort(8900),
    s3: { ...LOCAL_S3, endpoint: s3.endpoint },
    bundleDir: join(scratch, "bundle"),
    sealKey: "deployed-bundle seal",
    database: { url: database.url, wsProxy: relay.wsProxy },
    onOutput: (text) => {
      output += text;
    },
  });
  cleanups.push(() => worker.dispose());
  url = worker.url;
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const post = (path: string, body: unknown, cookie = "") =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie && { cookie }) },
    body: JSON.stringify(body),
  });

describe("the deployable bundle", () => {
  it("answers health with S3 and Postgres reachable", async () => {
    const response = await fetch(`${url}/api/health`);
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it("refuses an unknown username as it refuses a wrong password, not with a 500", async () => {
    const username = `b${crypto.randomUUID().slice(0, 8)}`;
    const signup = await post("/api/auth/signup", { username, password: "0123456789", full_name: "B" });
    expect(signup.status, await signup.clone().text()).toBe(201);
    for (const name of [username, `n${crypto.randomUUID().slice(0, 8)}`]) {
      const login = await post("/api/auth/login", { username: name, password: "wrong password" });
      expect(login.status, name).toBe(401);
      expect(await login.json()).toEqual({ error: "wrong username or password" });
    }
  });

  it("starts a session, and logging out revokes it", async () => {
    const signup = await post("/api/auth/signup", {
      username: `s${crypto.randomUUID().slice(0, 8)}`,
      password: "0123456789",
      full_name: "S",
    });
    const cookie = signup.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^growit_session=/);
    expect((await fetch(`${url}/api/me`, { headers: { cookie } })).status).toBe(200);
    expect((await post("/api/auth/logout", {}, cookie)).status).toBe(200);
    expect((await fetch(`${url}/api/me`, { headers: { cookie } })).status).toBe(401);
  });

  it("printed no error from its module scope or an uncaught rejection", () => {
    expect(output).not.toMatch(RUNTIME_FAULT);
  });
});
