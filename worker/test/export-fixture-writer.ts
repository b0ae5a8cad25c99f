import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type S3, SILVER_COLUMNS, SILVER_SORT, silverFileKey, sqlString } from "@growit/contract";
import { openDuck } from "../../etl/src/duck.ts";
import { exportFixtureFiles, FIXTURE_ROW_GROUP_ROWS, type StoredFixtureFile } from "./export-fixture.ts";

/** The fixture's columns typed as the silver table's (read_json's `columns`). */
const COLUMNS = `{${SILVER_COLUMNS.map((c) => `${c.name}: '${c.type}'`).join(", ")}}`;

/**
 * Writes the export tests' silver files (export-fixture.ts) as the ETL writes silver (DuckDB,
 * zstd, sorted by SILVER_SORT; smaller row groups) and stores them in `s3`.
 */
export async function writeExportFixture(s3: S3): Promise<StoredFixtureFile[]> {
  const dir = await mkdtemp(join(tmpdir(), "growit-export-fixture-"));
  const duck = await openDuck({ memoryLimit: "256MB", tempDir: join(dir, "tmp") });
  try {
    const stored: StoredFixtureFile[] = [];
    for (const file of exportFixtureFiles()) {
      const lines = join(dir, `${file.name}.jsonl`);
      const parquet = join(dir, `${file.name}.parquet`);
      await writeFile(lines, file.rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
      await duck.connection.run(`COPY (SELECT ${SILVER_COLUMNS.map((c) => c.name).join(", ")}
          FROM read_json(${sqlString(lines)}, format = 'newline_delimited', columns = ${COLUMNS})
          ORDER BY ${SILVER_SORT.join(", ")})
        TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${FIXTURE_ROW_GROUP_ROWS})`);
      const body = new Uint8Array(await readFile(parquet));
      const key = silverFileKey(file.day, file.name);
      await s3.put(key, body, "application/vnd.apache.parquet");
      stored.push({ day: file.day, key, bytes: body.length, rows: file.rows.length });
    }
    return stored;
  } finally {
    duck.close();
    await rm(dir, { recursive: true, force: true });
  }
}
