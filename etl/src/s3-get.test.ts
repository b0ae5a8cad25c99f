import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { S3, S3Error } from "@growit/contract";
import { afterEach, describe, expect, it } from "vitest";
import { getObjectStream } from "./s3-get.ts";

type Handler = (request: IncomingMessage, response: ServerResponse, attempt: number) => void;

/** An HTTP server standing in for S3, answering each request with `handler`. */
async function fakeS3(handler: Handler): Promise<{ server: Server; s3: S3; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handler(request, response, requests.length);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const config = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "auto",
    bucket: "b",
    accessKeyId: "k",
    secretAccessKey: "s",
  };
  return { server, s3: new S3(config, { attempts: 3, baseDelayMs: 1, timeoutMs: 500 }), requests };
}

async function text(body: IncomingMessage): Promise<string> {
  let out = "";
  for await (const chunk of body) out += chunk;
  return out;
}

describe("getObjectStream", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it("sends a signed GET and retries a 5xx answer", async () => {
    const fake = await fakeS3((_request, response, attempt) => {
      if (attempt === 1) response.writeHead(503).end("busy");
      else response.writeHead(200, { "x-amz-meta-growit-seal": "v1.ab" }).end("line 1\nline 2\n");
    });
    server = fake.server;
    const body = await getObjectStream(fake.s3, "bronze/a b.jsonl");
    expect([body.statusCode, body.headers["x-amz-meta-growit-seal"], await text(body)]).toEqual([
      200,
      "v1.ab",
      "line 1\nline 2\n",
    ]);
    expect(fake.requests.map((r) => [r.method, r.url])).toEqual([
      ["GET", "/b/bronze/a%20b.jsonl"],
      ["GET", "/b/bronze/a%20b.jsonl"],
    ]);
    expect(fake.requests[1]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=k\//);
  });

  it("returns the last answer once every attempt got a 5xx, and does not retry a 404", async () => {
    const failing = await fakeS3((_request, response) => response.writeHead(500).end());
    server = failing.server;
    expect((await getObjectStream(failing.s3, "k")).statusCode).toBe(500);
    expect(failing.requests).toHaveLength(3);
    failing.server.close();
    const missing = await fakeS3((_request, response) => response.writeHead(404).end());
    server = missing.server;
    expect((await getObjectStream(missing.s3, "k")).statusCode).toBe(404);
    expect(missing.requests).toHaveLength(1);
  });

  it("gives up with an error naming the object when S3 does not answer in time", async () => {
    const silent = await fakeS3(() => {});
    server = silent.server;
    const failure = await getObjectStream(silent.s3, "k").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(S3Error);
    expect(String(failure)).toMatch(/S3 GET http:\/\/127\.0\.0\.1:\d+\/b\/k failed after 3 attempts/);
    expect(silent.requests).toHaveLength(3);
  });
});
