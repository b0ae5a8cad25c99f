import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { gunzipSync } from "node:zlib";
import { isGzipEncoding } from "@growit/contract";
import { WIRE_FAULTS, WIRE_HOLD_MS } from "./s3-wire-faults.ts";

export interface S3WireOptions {
  /** The S3 server's endpoint, `http://host:port`. */
  target: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The network between the worker under test (SELF) and its S3 server: an HTTP proxy that passes
 * every request on as it came, except a PUT whose body holds one of WIRE_FAULTS, which it
 * corrupts or holds as a faulty middlebox or a slow link would.
 */
export async function startS3Wire(options: S3WireOptions): Promise<{ endpoint: string; close(): Promise<void> }> {
  const target = new URL(options.target);
  const server = createServer(async (incoming, outgoing) => {
    let hungUp = false;
    outgoing.once("close", () => {
      hungUp = !outgoing.writableFinished;
    });
    let body = await buffer(incoming);
    // Host is signed (SigV4), so it goes on unchanged; Content-Length is not.
    const headers: IncomingHttpHeaders = { ...incoming.headers };
    // A bronze object of events is compressed: its lines are looked into.
    const lines = isGzipEncoding(headers["content-encoding"]) ? gunzipSync(body) : body;
    if (incoming.method === "PUT" && lines.includes(WIRE_FAULTS.hold)) {
      await sleep(WIRE_HOLD_MS);
      if (hungUp) return;
    }
    if (incoming.method === "PUT" && lines.includes(WIRE_FAULTS.truncate)) {
      body = body.subarray(0, body.length >> 1);
      headers["content-length"] = String(body.length);
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.once("error", () => outgoing.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A port of the system's choosing: the tests learn it through inject().
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
