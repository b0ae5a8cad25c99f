import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Duck, openDuck, sqlString } from "./duck.ts";
import { refineDay } from "./refine.ts";

const DAY = "2026-01-05";
const dir = join(tmpdir(), `growit-etl-refine-test-${process.pid}`);

const line = (id: string, ts: string, receivedAt: string, path: string, username: string | null = "u1") =>
  JSON.stringify({
    id: `00000000-0000-7000-8000-00000000000${id}`,
    type: "page_view",
    ts,
    username,
    props: { path },
    received_at: receivedAt,
    source: "web",
  });

describe("refineDay", () => {
  let duck: Duck;
  beforeAll(async () => {
    duck = await openDuck({ memoryLimit: "256MB", tempDir: join(dir, "duck") });
  });
  afterAll(async () => {
    duck.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the winning copy of each id, and only the winners of the day", async () => {
    const files = join(dir, "files");
    await mkdir(files, { recursive: true });
    const exact = line("5", "2026-01-05T12:00:00.000Z", "2026-01-05T12:00:01.000Z", "/exact");
    await writeFile(
      join(files, "00000000.jsonl"),
      [
        line("1", "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:02.000Z", "/late"),
        line("2", "2026-01-05T11:00:00.000Z", "2026-01-05T11:00:00.500Z", "/single", null),
        line("3", "2026-01-04T23:00:00.000Z", "2026-01-04T23:00:00.500Z", "/other-day"),
        exact,
        exact,
        line("6", "2026-01-05T00:00:01.000Z", "2026-01-05T00:00:03.000Z", "/loses-to-the-day-before"),
      ].join("\n"),
    );
    await writeFile(
      join(files, "00000001.jsonl"),
      [
        line("1", "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:01.000Z", "/early"),
        line("6", "2026-01-04T23:59:59.000Z", "2026-01-05T00:00:02.000Z", "/wins-on-the-day-before"),
      ].join("\n"),
    );
    const refined = await refineDay({ connection: duck.connection, day: DAY, dir: files });
    expect(refined.duplicates).toBe(2);
    expect(refined.silver?.rows).toBe(3);
    expect(refined.mart).toEqual({ userIds: ["u1"], counts: [2n] });
    const silver = await duck.connection.runAndReadAll(
      `SELECT right(id, 1) AS id, props FROM read_parquet(${sqlString(refined.silver?.path ?? "")}) ORDER BY id`,
    );
    expect(silver.getRowObjectsJson()).toEqual([
      { id: "1", props: '{"path":"/early"}' },
      { id: "2", props: '{"path":"/single"}' },
      { id: "5", props: '{"path":"/exact"}' },
    ]);
  });
});
