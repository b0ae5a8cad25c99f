import type { ClientEvent } from "@growit/contract";
import { requestBody } from "./transport.ts";

const utf8 = new TextEncoder();

/** Bytes of `{"events":[],"sent_at":"..."}`: the request body wrapped around the events. */
const wrapperBytes = (sentAt: number) => utf8.encode(requestBody([], sentAt)).length;

export interface ChunkLimits {
  /** The whole body, `{"events":[...],"sent_at":"..."}`, in UTF-8 bytes. */
  maxBytes: number;
  maxEvents: number;
}

/** The UTF-8 size of `requestBody(events, sentAt)`, without building the string twice. */
export function bodyBytes(events: readonly ClientEvent[], sentAt: number): number {
  let bytes = wrapperBytes(sentAt) + Math.max(0, events.length - 1);
  for (const event of events) bytes += utf8.encode(JSON.stringify(event)).length;
  return bytes;
}

/**
 * The longest prefix of `events` whose body, sent at `sentAt`, fits the limits. An event too
 * large to fit even alone still forms a chunk of one, so the caller always makes progress
 * (the SDK refuses such events at track(), so this is a safety net).
 */
export function takeChunk(events: readonly ClientEvent[], limits: ChunkLimits, sentAt: number): ClientEvent[] {
  let bytes = wrapperBytes(sentAt);
  let count = 0;
  for (const event of events) {
    if (count >= limits.maxEvents) break;
    const size = utf8.encode(JSON.stringify(event)).length + (count > 0 ? 1 : 0);
    if (count > 0 && bytes + size > limits.maxBytes) break;
    bytes += size;
    count++;
  }
  return events.slice(0, count);
}

/** Splits `events`, in order, into chunks that each fit the limits when sent at `sentAt`. */
export function chunkEvents(events: readonly ClientEvent[], limits: ChunkLimits, sentAt: number): ClientEvent[][] {
  const chunks: ClientEvent[][] = [];
  let rest = events;
  while (rest.length > 0) {
    const chunk = takeChunk(rest, limits, sentAt);
    chunks.push(chunk);
    rest = rest.slice(chunk.length);
  }
  return chunks;
}
