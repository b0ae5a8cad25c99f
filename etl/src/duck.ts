import { mkdirSync } from "node:fs";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface DuckOptions {
  /** e.g. "512MB": DuckDB spills to tempDir past it rather than growing. */
  memoryLimit: string;
  tempDir: string;
  threads?: number;
}

export interface Duck {
  connection: DuckDBConnection;
  close(): void;
}

/** An in-memory DuckDB bounded in memory, spilling to `tempDir`; only its built-in readers and writers are used. */
export async function openDuck(options: DuckOptions): Promise<Duck> {
  mkdirSync(options.tempDir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: options.memoryLimit,
    temp_directory: options.tempDir,
    // Order comes from explicit ORDER BYs; not keeping insertion order lets big sorts and scans stream.
    preserve_insertion_order: "false",
    // Extensions cannot be fetched offline: fail fast rather than hang on a download.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    ...(options.threads ? { threads: String(options.threads) } : {}),
  });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
