import { neonConfig, Pool } from "@neondatabase/serverless";

/**
 * Points the Neon driver at a local WebSocket-to-TCP relay when NEON_WS_PROXY is set
 * (local mode); otherwise it speaks to Neon's own endpoint over secure WebSockets.
 */
function configureNeon(wsProxy: string): void {
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  // Postgres 15 refuses a SASL handshake pipelined before its greeting.
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
}

/**
 * Runs `work` with a pool that lives only for this request, as Workers require
 * (a socket cannot outlive the request that opened it).
 */
export async function withPool<T>(env: Env, work: (pool: Pool) => Promise<T>): Promise<T> {
  configureNeon(env.NEON_WS_PROXY);
  const pool = new Pool({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
  // A broken connection surfaces through the query that used it; this keeps it from being unhandled.
  pool.on("error", (error: Error) => console.error("postgres pool:", error.message));
  try {
    return await work(pool);
  } finally {
    await pool.end().catch(() => {});
  }
}
