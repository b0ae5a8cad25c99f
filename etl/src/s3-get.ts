import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { S3 } from "@growit/contract";

// Connections are kept for the next object, as fetch keeps them.
const agents: Record<string, http.Agent> = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

/**
 * GETs an object as a Node stream: signed by the shared S3 client and retried under its policy,
 * but sent with node:http. A fetch body (undici's parser, then web streams) costs about 0.1 s more
 * CPU per 200 MiB, and on a small machine the ETL's download is bound by CPU (see bench:etl).
 * The answer is returned whatever its status; its time limit covers the body too, as fetch's does.
 */
export async function getObjectStream(s3: S3, key: string): Promise<IncomingMessage> {
  const answer = await s3.withRetries(
    () => `GET ${s3.url(key)}`,
    async (signal) => {
      const request = await s3.sign(key);
      const url = new URL(request.url);
      const get = url.protocol === "https:" ? https.get : http.get;
      const message = await new Promise<IncomingMessage>((resolve, reject) => {
        get(url, { headers: Object.fromEntries(request.headers), agent: agents[url.protocol], signal }, resolve).once(
          "error",
          reject,
        );
      });
      return { status: message.statusCode ?? 0, discard: () => void message.destroy(), message };
    },
  );
  return answer.message;
}
