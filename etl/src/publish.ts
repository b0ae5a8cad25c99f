import type pg from "pg";
import { inTransaction } from "./postgres.ts";

export interface PartitionRecord {
  key: string;
  bytes: number;
  rows: number;
  sha256: string;
}

export interface DayPublication {
  day: string;
  mart: { userIds: string[]; counts: bigint[] };
  /** The silver partition now in S3, or null when the day has none. */
  partition: PartitionRecord | null;
}

/**
 * Replaces the day's rows of mart.daily_events, and its entry in etl.partitions, in one
 * transaction. unnest() of array parameters is the one bulk path that works on every Postgres,
 * PGlite included (COPY FROM STDIN hangs PGlite's socket server).
 */
export async function publishDay(client: pg.PoolClient, publication: DayPublication): Promise<void> {
  const { day, mart, partition } = publication;
  await inTransaction(client, async () => {
    await client.query("DELETE FROM mart.daily_events WHERE event_date = $1", [day]);
    if (mart.userIds.length > 0) {
      await client.query(
        `INSERT INTO mart.daily_events (event_date, user_id, cnt)
         SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])`,
        [mart.userIds.map(() => day), mart.userIds, mart.counts.map(String)],
      );
    }
    if (partition) {
      await client.query(
        `INSERT INTO etl.partitions (event_date, object_key, bytes, rows, sha256, written_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (event_date) DO UPDATE SET object_key = excluded.object_key, bytes = excluded.bytes,
           rows = excluded.rows, sha256 = excluded.sha256, written_at = excluded.written_at`,
        [day, partition.key, partition.bytes, partition.rows, partition.sha256],
      );
    } else {
      await client.query("DELETE FROM etl.partitions WHERE event_date = $1", [day]);
    }
  });
}
