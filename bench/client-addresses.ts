import type { Client } from "autocannon";

/**
 * An autocannon `setupClient` under which each connection claims a client address of its own in
 * cf-connecting-ip (wrangler dev and Miniflare take it from the client; Cloudflare sets it itself),
 * so that the worker's per-address write limit, set for learners, counts load from this machine as
 * many clients' and never refuses it, while every request still passes the limiter's check. `run`
 * gives a run addresses of its own, so it starts with fresh budgets; they are loopback addresses,
 * so that no key names a real client.
 */
export function addressPerConnection(headers: Record<string, string>, run = 0): (client: Client) => void {
  let connections = 0;
  return (client) => {
    const index = connections++;
    const address = `127.${run % 256}.${(index >> 8) % 256}.${index % 256}`;
    client.setHeaders({ ...headers, "cf-connecting-ip": address });
  };
}
