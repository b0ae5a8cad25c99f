import type { ClientEvent } from "@growit/contract";

const utf8 = new TextEncoder();

/** Bytes of `{"events":[]}`: the request body wrapped around the events. */
const WRAPPER_BYTES = utf8.encode(JSON.stringify({ events: [] })).length;

export interface ChunkLimits {
  /** The whole body, `{"events":[...]}`, in UTF-8 bytes. */
  maxBytes: number;
  maxEvents: number;
}

/** The UTF-8 size of `JSON.stringify({events})`, without building the string twice. */
export function bodyBytes(events: readonly ClientEvent[]): number {
  let bytes = WRAPPER_BYTES + Math.max(0, events.length - 1);
  for (const event of events) bytes += utf8.encode(JSON.stringify(event)).length;
  return bytes;
}

/**
 * The longest prefix of `events` whose body fits the limits. An event too large to fit
 * even alone still forms a chunk of one, so the caller always makes progress
 * (the SDK refuses such events at track(), so this is a safety net).
 */
export function takeChunk(events: readonly ClientEvent[], limits: ChunkLimits): ClientEvent[] {
  let bytes = WRAPPER_BYTES;
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

/** Splits `events`, in order, into chunks that each fit the limits. */
export function chunkEvents(events: readonly ClientEvent[], limits: ChunkLimits): ClientEvent[][] {
  const chunks: ClientEvent[][] = [];
  let rest = events;
  while (rest.length > 0) {
    const chunk = takeChunk(rest, limits);
    chunks.push(chunk);
    rest = rest.slice(chunk.length);
  }
  return chunks;
}
