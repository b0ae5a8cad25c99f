import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, neonConfig, Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { postgresTarget } from "./local.ts";
import { FrontendStream, isAllowedAddress, type NeonRelay, startNeonRelay } from "./neon-relay.ts";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./postgres.ts";
import { createScratchDatabase } from "./test-db.ts";
import { testPort } from "./test-ports.ts";
import { upgradeStatus } from "./test-upgrade.ts";

// Ports next to the fixed ones, so a running `npm start` does not interfere.
const PG_PORT = testPort(5444);
const RELAY_PORT = testPort(5490);

/** The running relay's NEON_WS_PROXY (its secret changes with every start). */
let wsProxy = "";

// The worker's configuration, with Node's `ws` as the WebSocket.
neonConfig.webSocketConstructor = WebSocket;
neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineConnect = false;
neonConfig.pipelineTLS = false;

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function timed<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The status the relay answers an upgrade to `path` with. */
const upgrade = (path: string, headers?: Record<string, string>) =>
  upgradeStatus(`ws://127.0.0.1:${RELAY_PORT}${path}`, headers);

/** The same checks against any Postgres behind the relay. */
function relayContract(label: string, setup: () => Promise<{ url: string; relay: NeonRelay }>) {
  describe(label, () => {
    let url = "";
    let relay: NeonRelay;
    beforeAll(async () => {
      ({ url, relay } = await setup());
      wsProxy = relay.wsProxy;
    });

    /** `/<secret>`, the part of NEON_WS_PROXY after host:port. */
    const secretPath = () => new URL(`ws://${relay.wsProxy}`).pathname;
    const targetAddress = () => {
      const { host, port } = postgresTarget(url);
      return `address=${host}:${port}`;
    };
    /** What the worker asks for. */
    const ownPath = () => `${secretPath()}/v1?${targetAddress()}`;

    it("lets the worker's upgrade through: its secret, the target, no Origin", async () => {
      expect(relay.wsProxy).toMatch(new RegExp(`^${relay.address}/[0-9a-f]{64}$`));
      expect(await upgrade(ownPath())).toBe(101);
      await waitFor(() => relay.connections() === 0);
    });

    it("refuses an upgrade that carries an Origin, as every browser's does", async () => {
      for (const origin of ["https://evil.example", "http://127.0.0.1:8787", "null"]) {
        expect(await upgrade(ownPath(), { origin }), origin).toBe(403);
      }
    });

    it("refuses an upgrade without the relay's secret", async () => {
      const secret = secretPath().slice(1);
      for (const given of ["", "/0", `/${"0".repeat(64)}`, `/${secret.slice(1)}`, `/${secret}x`]) {
        const path = `${given}/v1?${targetAddress()}`;
        expect(await upgrade(path), path).toBe(403);
      }
    });

    it("runs parameterised queries and transactions through the Neon driver", async () => {
      const client = new Client(url);
      await client.connect();
      await client.query("create table if not exists relay_t (id int primary key, name text)");
      await client.query("begin");
      await client.query("insert into relay_t values ($1, $2)", [1, "one"]);
      await client.query("commit");
      const r = await client.query("select name, $1::int + 1 as n from relay_t where id = $2", [41, 1]);
      expect(r.rows).toEqual([{ name: "one", n: 42 }]);
      await timed(client.end(), 3000, "client.end()");
      await waitFor(() => relay.connections() === 0);
    });

    it("closes both sides on Terminate, so many short connections never hang", async () => {
      for (let i = 0; i < 15; i++) {
        const client = new Client(url);
        await timed(client.connect(), 5000, `connect #${i}`);
        const r = await client.query("select $1::int as i", [i]);
        expect(r.rows[0].i).toBe(i);
        await timed(client.end(), 3000, `end #${i}`);
      }
      await waitFor(() => relay.connections() === 0);
    });

    it("serves a pool of concurrent connections", async () => {
      const pool = new Pool({ connectionString: url, max: 4 });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => pool.query("select $1::int * 2 as v", [i]).then((r) => r.rows[0].v)),
      );
      expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
      await timed(pool.end(), 5000, "pool.end()");
      await waitFor(() => relay.connections() === 0);
    });

    it("refuses any address but the configured Postgres (not an open proxy)", async () => {
      const target = postgresTarget(url);
      for (const address of ["127.0.0.1:22", "example.com:5432", `10.0.0.1:${target.port}`, "", "x"]) {
        expect(await upgrade(`${secretPath()}/v1?address=${encodeURIComponent(address)}`), address).toBe(403);
      }
    });
  });
}

describe("neon relay", () => {
  it("recognises the allowed target and the Terminate message", () => {
    const target = { host: "127.0.0.1", port: 5433 };
    expect(isAllowedAddress("127.0.0.1:5433", target)).toBe(true);
    expect(isAllowedAddress("localhost:5433", target)).toBe(true);
    expect(isAllowedAddress("127.0.0.1:5432", target)).toBe(false);
    expect(isAllowedAddress("evil.example:5433", target)).toBe(false);
    expect(isAllowedAddress("db.example:5432", { host: "db.example", port: 5432 })).toBe(true);

    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8, 0);
    startup.writeInt32BE(196608, 4);
    const query = Buffer.concat([Buffer.from("Q"), Buffer.from([0, 0, 0, 13]), Buffer.from("select 1\0")]);
    const big = Buffer.concat([Buffer.from("Q"), Buffer.from([0, 0, 0x10, 4]), Buffer.alloc(0x1000, 0x58)]);
    const terminate = Buffer.from([0x58, 0, 0, 0, 4]);
    const s = new FrontendStream();
    expect(s.feed(startup)).toBe(false);
    expect(s.feed(query)).toBe(false);
    // A long message full of 'X' bytes, fed in pieces, is not a Terminate.
    expect(s.feed(big.subarray(0, 100))).toBe(false);
    expect(s.feed(big.subarray(100))).toBe(false);
    expect(s.feed(terminate.subarray(0, 2))).toBe(false);
    expect(s.feed(terminate.subarray(2))).toBe(true);
  });

  const dir = mkdtempSync(join(tmpdir(), "growit-relay-"));
  let embedded: EmbeddedPostgres | undefined;
  let relayPglite: NeonRelay | undefined;
  relayContract("to PGlite (pglite-socket)", async () => {
    embedded = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: PG_PORT });
    relayPglite = await startNeonRelay({ target: postgresTarget(embedded.url), port: RELAY_PORT });
    return { url: embedded.url, relay: relayPglite };
  });
  afterAll(async () => {
    await relayPglite?.close();
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let relayPg: NeonRelay | undefined;
  relayContract("to PostgreSQL (TEST_DATABASE_URL)", async () => {
    await relayPglite?.close();
    scratch = await createScratchDatabase();
    relayPg = await startNeonRelay({ target: postgresTarget(scratch.url), port: RELAY_PORT });
    return { url: scratch.url, relay: relayPg };
  });
  afterAll(async () => {
    await relayPg?.close();
    await scratch?.drop();
  });
});
