// The one module that loads DuckDB-WASM: change it (and only it) when the version changes.
//
// Pinned to @duckdb/duckdb-wasm 1.28.0 (DuckDB 0.9.1): later versions download the Parquet
// extension from the internet on first use, while 1.28.0 has it built in and reads Parquet
// over HTTP Range requests. The EH build comes from the app's own bundle through Vite `?url`
// imports (never a CDN), so the dashboard works with every non-local request blocked.
import {
  type AsyncDuckDB,
  ConsoleLogger,
  DuckDBDataProtocol,
  AsyncDuckDB as Engine,
  LogLevel,
} from "@duckdb/duckdb-wasm";
import engineWorkerUrl from "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url";
import engineWasmUrl from "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url";

export type { AsyncDuckDB, AsyncDuckDBConnection } from "@duckdb/duckdb-wasm";

/** Starts DuckDB in a Web Worker, so that queries never block the page. */
export async function openDuckDB(): Promise<AsyncDuckDB> {
  const db = new Engine(new ConsoleLogger(LogLevel.WARNING), new Worker(engineWorkerUrl));
  await db.instantiate(engineWasmUrl);
  // DECIMAL (and SUM over BIGINT, a HUGEINT, which Arrow carries as a DECIMAL) arrive as doubles,
  // not as Arrow's unscaled 128-bit words, so that every result renders as the number it is.
  await db.open({ query: { castDecimalToDouble: true } });
  return db;
}

/**
 * Makes `url` (absolute, same origin, so the session cookie goes along) readable as the file
 * `name`: DuckDB reads it with HTTP Range requests, only the parts a query needs.
 */
export function registerHttpFile(db: AsyncDuckDB, name: string, url: string): Promise<void> {
  return db.registerFileURL(name, url, DuckDBDataProtocol.HTTP, false);
}

/** Makes `bytes` readable as the file `name` from memory; they move to the worker (transferred, not copied). */
export function registerBuffer(db: AsyncDuckDB, name: string, bytes: Uint8Array): Promise<void> {
  return db.registerFileBuffer(name, bytes);
}
