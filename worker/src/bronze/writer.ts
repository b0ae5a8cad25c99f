import { waitUntil } from "cloudflare:workers";
import {
  bronzeEventsObject,
  bronzeObjectKey,
  bronzeSealKey,
  type EventEnvelope,
  type RejectRecord,
  rejectedObjectKey,
  S3,
  type SealKey,
  utcDay,
} from "@growit/contract";
import { s3ConfigFromEnv } from "../storage/s3.ts";
import { DEFAULT_GROUP_COMMIT, GroupCommit } from "./group-commit.ts";

/** What one request hands the writer: its accepted events and its rejects, as JSONL. */
interface Part {
  receivedAt: Date;
  events: string;
  rejects: string;
}

const JSONL = "application/x-ndjson";
const encoder = new TextEncoder();
const toJsonl = (records: readonly unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join("");

/**
 * Writes events to bronze and rejects to bronze/_rejected. Concurrent writes are grouped
 * into one object per UTC day (of received_at) and kind, and each write resolves only
 * once the objects holding its lines are stored. Events objects are compressed (see
 * bronze-object.ts), and sealed (see bronze-seal.ts) when the writer has a seal key: every line
 * in them passed the contract's checks.
 */
export class BronzeWriter {
  readonly #group: GroupCommit<Part>;
  readonly #sealKey: Promise<SealKey> | null;

  constructor(
    readonly s3: S3,
    sealSecret?: string,
  ) {
    // Under waitUntil, a flush outlives its leader's request should that be cancelled (the client
    // hung up), so the requests grouped with it are still answered.
    this.#group = new GroupCommit((parts) => this.#flush(parts), DEFAULT_GROUP_COMMIT, waitUntil);
    this.#sealKey = sealSecret ? bronzeSealKey(sealSecret) : null;
  }

  async write(events: readonly EventEnvelope[], rejects: readonly RejectRecord[], receivedAt: Date): Promise<void> {
    if (events.length === 0 && rejects.length === 0) return;
    const part: Part = { receivedAt, events: toJsonl(events), rejects: toJsonl(rejects) };
    await this.#group.commit(part, part.events.length + part.rejects.length);
  }

  async #flush(parts: Part[]): Promise<void> {
    const days = new Map<string, Part[]>();
    for (const part of parts) {
      const day = utcDay(part.receivedAt);
      const sameDay = days.get(day);
      if (sameDay) sameDay.push(part);
      else days.set(day, [part]);
    }
    const puts: Promise<void>[] = [];
    for (const dayParts of days.values()) {
      // The key's day and time are those of the day's first request, so the object sits in its events' day.
      const at = (dayParts[0] as Part).receivedAt;
      const events = dayParts.map((p) => p.events).join("");
      const rejects = dayParts.map((p) => p.rejects).join("");
      if (events) puts.push(this.#putEvents(bronzeObjectKey(at, crypto.randomUUID()), events));
      if (rejects) puts.push(this.s3.put(rejectedObjectKey(at, crypto.randomUUID()), rejects, JSONL));
    }
    const results = await Promise.allSettled(puts);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async #putEvents(key: string, events: string): Promise<void> {
    // An ArrayBuffer-backed view, as TextEncoder makes; workers-types only promise ArrayBufferLike.
    const lines = encoder.encode(events) as Uint8Array<ArrayBuffer>;
    const { body, headers } = await bronzeEventsObject(key, lines, this.#sealKey ? await this.#sealKey : null);
    await this.s3.put(key, body, JSONL, headers);
  }
}

const writers = new Map<string, BronzeWriter>();

/** The isolate's writer for this environment's bucket: one per isolate, so that its requests share batches. */
export function bronzeWriterFor(env: Env): BronzeWriter {
  const config = s3ConfigFromEnv(env);
  const sealSecret = env.BRONZE_SEAL_KEY;
  const id = JSON.stringify([config, sealSecret]);
  let writer = writers.get(id);
  if (!writer) {
    writer = new BronzeWriter(new S3(config), sealSecret);
    writers.set(id, writer);
  }
  return writer;
}
