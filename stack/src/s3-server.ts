// The local S3-compatible store: the npm `s3rver`, bucket `growit`, data under
// <data>/s3.
//
// s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// only offers through its legacy provider: without Node's
// `--openssl-legacy-provider` every paged listing fails with a 500
// ("digital envelope routines::unsupported"). So `npm start` runs s3rver in a
// child process started with that flag (`spawnS3Server`); `runS3Server` is the
// in-process server that child runs.
import { type ChildProcess, spawn } from "node:child_process";
import { createCipheriv } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import S3rver from "s3rver";
import { S3 } from "./local.ts";
import { checksumCheck } from "./s3-checksum.ts";

export interface S3ServerOptions {
  directory: string;
  port?: number;
  host?: string;
  bucket?: string;
}

export interface RunningS3Server {
  endpoint: string;
  close(): Promise<void>;
}

/** True when this process can use DES (that is, runs with the OpenSSL legacy provider). */
export function legacyCryptoAvailable(): boolean {
  try {
    createCipheriv("des", Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** Runs s3rver inside this process (which must have `--openssl-legacy-provider`). */
export async function runS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  if (!legacyCryptoAvailable()) {
    throw new Error("s3rver needs Node's --openssl-legacy-provider for paged listings; use spawnS3Server()");
  }
  const host = options.host ?? S3.host;
  const port = options.port ?? S3.port;
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: host,
    port,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket ?? S3.bucket, configs: [] }],
  });
  // First, so that a corrupted upload is refused before s3rver stores it.
  server.middleware.unshift(checksumCheck);
  await server.run();
  return {
    endpoint: `http://${host}:${port}`,
    close: () => server.close(),
  };
}

export interface SpawnedS3Server extends RunningS3Server {
  child: ChildProcess;
  /** Resolves when the child process has exited. */
  exited: Promise<number | null>;
}

const thisFile = fileURLToPath(import.meta.url);
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Starts s3rver in a child Node process with `--openssl-legacy-provider`. */
export function spawnS3Server(options: S3ServerOptions): Promise<SpawnedS3Server> {
  const host = options.host ?? S3.host;
  const port = options.port ?? S3.port;
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "--import", tsxLoader, thisFile], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // Own process group: Ctrl-C reaches only `npm start`, which stops us in order.
    // If our parent dies, the IPC channel closes and we exit (see below).
    detached: true,
    env: {
      ...process.env,
      GROWIT_S3_CHILD: JSON.stringify({ ...options, host, port }),
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`S3 server exited early (code ${code})`));
    child.once("exit", onExit);
    child.once("error", reject);
    child.on("message", (message: unknown) => {
      const m = message as { ready?: boolean; error?: string };
      if (m.error) reject(new Error(`S3 server failed: ${m.error}`));
      if (!m.ready) return;
      child.off("exit", onExit);
      resolve({
        endpoint: `http://${host}:${port}`,
        child,
        exited,
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

// Child entry point (spawnS3Server).
if (process.env.GROWIT_S3_CHILD && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const options = JSON.parse(process.env.GROWIT_S3_CHILD) as S3ServerOptions;
  try {
    const server = await runS3Server(options);
    const stop = () => {
      server.close().finally(() => process.exit(0));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    // If the parent dies without telling us, do not linger holding the port.
    process.once("disconnect", stop);
    process.send?.({ ready: true });
  } catch (error) {
    process.send?.({ error: String(error) });
    process.exit(1);
  }
}
