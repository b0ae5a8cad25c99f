// The Neon WebSocket relay: `@neondatabase/serverless` speaks the Postgres
// protocol over a WebSocket (in workerd there are no raw TCP sockets for it),
// so locally something must turn that WebSocket into a TCP connection to the
// local Postgres. The worker configures
//   neonConfig.wsProxy = (host, port) => `${NEON_WS_PROXY}/v1?address=${host}:${port}`
//   useSecureWebSocket = false, pipelineConnect = false, pipelineTLS = false
// with NEON_WS_PROXY = the relay's `wsProxy`, `127.0.0.1:5480/<secret>`.
//
// Safety: the embedded Postgres has no password, so the relay must not let anything
// but the worker in. It listens on 127.0.0.1 only and refuses (403) every upgrade
//   - that carries an Origin header: browsers always send one on a WebSocket
//     handshake and the Neon driver in workerd does not, so no web page a developer
//     visits (nor a DNS-rebound one) can reach the database;
//   - whose path does not start with the secret generated at each start (only
//     `.dev.vars`, mode 0600, holds it), so other local users cannot either;
//   - whose `address` does not name the one configured Postgres target (host:port
//     of the DATABASE_URL in use): it is not an open proxy.
//
// Terminate: PGlite's socket server does not close a connection when the
// client sends Terminate ('X'), and the Neon driver waits for the server to
// close; so the relay watches the client's message stream and, on 'X', closes
// both the TCP connection and the WebSocket (measured: without this, PGlite
// connections hang). Real Postgres closes on 'X' itself, which is the same
// outcome.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { NEON_RELAY } from "./local.ts";

export interface NeonRelayOptions {
  /** The only Postgres the relay connects to. */
  target: { host: string; port: number };
  host?: string;
  port?: number;
}

export interface NeonRelay {
  /** host:port it listens on: safe to print. */
  address: string;
  /** What the worker's NEON_WS_PROXY must hold, `host:port/<secret>`: never print it. */
  wsProxy: string;
  /** Open client connections (WebSocket + TCP pairs). */
  connections(): number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** Does `requested` ("host:port") name the configured target? */
export function isAllowedAddress(requested: string, target: { host: string; port: number }): boolean {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(requested);
  if (!m) return false;
  const host = (m[1] ?? "").toLowerCase();
  const port = Number(m[2]);
  if (port !== target.port) return false;
  const targetHost = target.host.toLowerCase();
  if (host === targetHost) return true;
  return LOOPBACK.has(host) && LOOPBACK.has(targetHost);
}

/** The relay's path: its secret, then the Neon driver's `/v1` (or `/v2`). */
const RELAY_PATH = /^\/([^/]*)\/v[12]\/?$/;

/** Compares in constant time, so that the secret cannot be guessed byte by byte. */
function isSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** May this upgrade reach the target? See "Safety" above. */
function isAllowedUpgrade(req: IncomingMessage, secret: string, target: { host: string; port: number }): boolean {
  if (req.headers.origin !== undefined) return false;
  const url = new URL(req.url ?? "/", "http://relay");
  const given = RELAY_PATH.exec(url.pathname)?.[1];
  return (
    given !== undefined && isSecret(given, secret) && isAllowedAddress(url.searchParams.get("address") ?? "", target)
  );
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58; // 'X'

/**
 * Follows the frontend (client -> server) message stream and reports the
 * Terminate message. Untyped messages (SSLRequest, GSSENCRequest, then the
 * StartupMessage) come first; every later message is type byte + int32 length.
 */
export class FrontendStream {
  private startupDone = false;
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of a long message body still to skip. */
  private skip = 0;

  /** Feeds bytes; returns true once a Terminate message has been seen. */
  feed(chunk: Buffer): boolean {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (!this.startupDone) {
        if (this.buffer.length < 8) return false;
        const len = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (this.buffer.length < len) return false;
        this.buffer = this.buffer.subarray(len);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startupDone = true;
        continue;
      }
      if (this.buffer.length < 5) return false;
      if (this.buffer[0] === TERMINATE) return true;
      const len = 1 + this.buffer.readInt32BE(1);
      if (this.buffer.length < len) {
        // Skip the rest of a long message instead of buffering it.
        this.skip = len - this.buffer.length;
        this.buffer = Buffer.alloc(0);
        return false;
      }
      this.buffer = this.buffer.subarray(len);
    }
  }
}

export async function startNeonRelay(options: NeonRelayOptions): Promise<NeonRelay> {
  const host = options.host ?? NEON_RELAY.host;
  const port = options.port ?? NEON_RELAY.port;
  const { target } = options;
  const secret = randomBytes(32).toString("hex");
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket relay to the local Postgres\n");
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const open = new Set<{ ws: WebSocket; tcp: Socket }>();

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isAllowedUpgrade(req, secret, target)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => relay(ws));
  });

  function relay(ws: WebSocket): void {
    const tcp = connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    const pair = { ws, tcp };
    open.add(pair);
    const frontend = new FrontendStream();
    const pending: Buffer[] = [];
    let connected = false;
    let closing = false;

    const closeBoth = () => {
      if (closing) return;
      closing = true;
      open.delete(pair);
      tcp.end();
      setTimeout(() => tcp.destroy(), 1000).unref();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      setTimeout(() => ws.terminate(), 1000).unref();
    };

    tcp.on("connect", () => {
      connected = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    tcp.on("data", (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
    });
    tcp.on("error", () => closeBoth());
    tcp.on("close", () => closeBoth());

    ws.on("message", (data: RawData) => {
      const chunk = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data as ArrayBuffer);
      if (closing) return;
      if (connected) tcp.write(chunk);
      else pending.push(chunk);
      if (frontend.feed(chunk)) {
        // Terminate: let it reach the server, then close both sides.
        if (connected) tcp.end(() => closeBoth());
        else closeBoth();
      }
    });
    ws.on("error", () => closeBoth());
    ws.on("close", () => closeBoth());
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });

  return {
    address: `${host}:${port}`,
    wsProxy: `${host}:${port}/${secret}`,
    connections: () => open.size,
    close: async () => {
      for (const { ws, tcp } of open) {
        ws.terminate();
        tcp.destroy();
      }
      open.clear();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
