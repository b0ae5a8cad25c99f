import {
  copyWins,
  type ExportBronzeEvent,
  leadingBomLength,
  MAX_BRONZE_LINE_BYTES,
  parseBronzeLine,
  type Queryable,
  type RankedCopy,
  type S3,
  S3Error,
  type S3Object,
  UTF8_BOM,
  unabsorbedBronze,
} from "@growit/contract";

const LF = 0x0a;
// Lines that are not UTF-8 are rejects, as the ETL takes them (etl/src/line-check.ts).
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The longest line linesOf gives: MAX_BRONZE_LINE_BYTES, and room for the object's leading byte
 * order mark, which is not part of its first line. It only bounds what is held; parseBronzeLine
 * applies the exact bound, as it does for the ETL.
 */
const MAX_LINE_READ = MAX_BRONZE_LINE_BYTES + UTF8_BOM.length;

/**
 * The lines of a body, as bytes, read as they arrive. A line longer than MAX_LINE_READ (a reject
 * for the ETL too) is passed over as it goes by, so that no object, however it is made, makes
 * this hold more than that, or copy a long line's bytes more than once.
 */
export async function* linesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  // The start of the current line, in pieces; null while passing over one that is too long.
  let pieces: Uint8Array[] | null = [];
  let held = 0;
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = read.value;
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      if (pieces && held + end - start <= MAX_LINE_READ) {
        pieces.push(chunk.subarray(start, end));
        yield joined(pieces);
      }
      pieces = [];
      held = 0;
      start = end + 1;
    }
    if (pieces && start < chunk.length) {
      held += chunk.length - start;
      if (held <= MAX_LINE_READ) pieces.push(chunk.slice(start));
      else pieces = null;
    }
  }
  if (pieces?.length) yield joined(pieces);
}

const joined = (pieces: readonly Uint8Array[]): Uint8Array => {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  const line = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    line.set(piece, at);
    at += piece.length;
  }
  return line;
};

/** An event's rank fields for the dedupe rule, as its bronze line holds them. */
const rankOf = (event: ExportBronzeEvent): RankedCopy => ({
  received_at: event.received_at,
  bronze_object: event.bronze_object,
  type: event.type,
  ts: event.ts,
  client_ts: event.client_ts ?? null,
  user_id: event.username,
  props: JSON.stringify(event.props),
  source: event.source,
});

/** The events of `username` in one bronze object, each line checked as the ETL checks it. */
async function* learnerEventsIn(s3: S3, object: S3Object, username: string): AsyncGenerator<ExportBronzeEvent> {
  const response = await s3.send(object.key);
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new S3Error(`S3 GET ${object.key} answered HTTP ${response.status}`, response.status);
  }
  // Only lines naming the learner are parsed: the worker writes usernames as JSON.stringify does.
  const needle = JSON.stringify(username);
  let first = true;
  for await (let bytes of linesOf(response.body)) {
    if (first) bytes = bytes.subarray(leadingBomLength(bytes));
    first = false;
    let line: string;
    try {
      line = strict.decode(bytes);
    } catch {
      continue;
    }
    if (!line.includes(needle)) continue;
    const verdict = parseBronzeLine(line);
    if (!verdict.ok || verdict.event.username !== username) continue;
    yield { record: "event", stage: "bronze", ...verdict.event, username, bronze_object: object.key };
  }
}

/**
 * The learner's events in bronze objects the ETL has not absorbed yet (unabsorbedBronze, the rule
 * the cron and the ETL share), one copy per id by the dedupe rule (copyWins), by id. Lines the ETL
 * would reject are left out. What it holds is the learner's share of the ETL's backlog (normally
 * the last quarter hour's), not their history; every unabsorbed object is read, though.
 */
export async function pendingBronzeEvents(
  s3: S3,
  db: Queryable,
  username: string,
  now: Date,
): Promise<Map<string, ExportBronzeEvent>> {
  const events = new Map<string, ExportBronzeEvent>();
  for (const object of await unabsorbedBronze(s3, db, { now })) {
    for await (const event of learnerEventsIn(s3, object, username)) {
      const held = events.get(event.id);
      if (!held || copyWins(rankOf(event), rankOf(held))) events.set(event.id, event);
    }
  }
  return events;
}
