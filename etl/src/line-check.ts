import { leadingBomLength, parseBronzeLine, type RejectRecord, rejectRecord } from "@growit/contract";

export interface ObjectToCheck {
  key: string;
  bytes: Uint8Array;
  rejectedAt: string;
  /**
   * Keep every line as its normal form, even one that could be kept as stored: for an object DuckDB
   * refused (a duplicate key, say, which JSON.parse forgives and DuckDB does not).
   */
  normalize?: boolean;
}

/**
 * The most bytes of one object's lines (decompressed) the line check reads. It holds an object's
 * text whole, so a larger object, or a small gzip stream that inflates past it, is refused whole
 * (one reject naming it) rather than taking the ETL's memory. It lies far above the worker's own
 * objects (a flush is bounded by its group commit's maxBatchBytes), so an object of accepted events
 * checked again (no seal key, or a rotated one) is never refused for its size.
 */
export const MAX_CHECKED_OBJECT_BYTES = 128 * 2 ** 20;

export interface CheckedObject {
  lines: number;
  /** What DuckDB should read: the bytes as stored when every line was usable and in normal form (and no BOM opens them), else the usable lines. */
  usable: Uint8Array | string;
  usableLines: number;
  rejects: RejectRecord[];
}

/** What the main thread hears of a checked object once its usable lines are written to a file. */
export type WrittenObject = Omit<CheckedObject, "usable"> & {
  /** The file of its usable lines, or null when there are none. */
  file: string | null;
};

// A byte order mark stays in the text (ignoreBOM), so that a line starting with one is refused
// wherever it is; only the object's own leading one is taken off, as an encoding signature.
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder("utf-8", { ignoreBOM: true });
const LF = 0x0a;
const CR = 0x0d;

/** What DuckDB is to read of a line (the line itself when it may read it as stored, else its normal form), or why none. */
type Usable = string | { reason: string };

function usableForm(line: string, normalize: boolean): Usable {
  const verdict = parseBronzeLine(line);
  if (!verdict.ok) return verdict;
  // JSON.parse takes a CRLF writer's trailing CR for whitespace; the normal form drops it.
  const asStored = verdict.canonical && !normalize && line.charCodeAt(line.length - 1) !== CR;
  return asStored ? line : JSON.stringify(verdict.event);
}

/** `bytes` as UTF-8 text, or null when they are not UTF-8. */
function strictly(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

const jsonl = (lines: string[]) => (lines.length ? `${lines.join("\n")}\n` : "");

/**
 * Checks every line of a bronze object against the contract. A line already in normal form is
 * kept as stored; one that is not is kept as its normalized envelope, so DuckDB only reads normal
 * forms. A line that is not UTF-8, not JSON or not an event is a reject naming its object and line.
 */
export function checkObject(object: ObjectToCheck): CheckedObject {
  const { bytes } = object;
  // DuckDB refuses a byte order mark, so an object opening with one is rewritten without it.
  const bom = leadingBomLength(bytes);
  const body = bytes.subarray(bom);
  const text = strictly(body);
  if (text === null) return checkLineByLine(object, body);
  const rejects: RejectRecord[] = [];
  // Lines to keep once some line cannot be kept as stored; built only when that happens.
  let kept: string[] | null = bom > 0 ? [] : null;
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    lines++;
    const usable = usableForm(line, object.normalize === true);
    if (usable !== line && kept === null) kept = start === 0 ? [] : text.slice(0, start - 1).split("\n");
    if (typeof usable === "string") kept?.push(usable);
    else rejects.push(rejectOf(object, lines, usable.reason, line));
    start = end + 1;
  }
  if (kept === null) return { lines, usable: bytes, usableLines: lines, rejects };
  return { lines, usable: jsonl(kept), usableLines: kept.length, rejects };
}

/**
 * checkObject for an object that is not UTF-8 throughout: decodes it a line at a time, so that
 * only the lines with invalid bytes are lost. A byte LF is never part of another character, so
 * every other line decodes as it would in a valid object.
 */
function checkLineByLine(object: ObjectToCheck, body: Uint8Array): CheckedObject {
  const rejects: RejectRecord[] = [];
  const kept: string[] = [];
  let lines = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(LF, start);
    if (end === -1) end = body.length;
    const bytes = body.subarray(start, end);
    lines++;
    const line = strictly(bytes);
    const usable: Usable = line === null ? { reason: "not valid UTF-8" } : usableForm(line, object.normalize === true);
    if (typeof usable === "string") kept.push(usable);
    else rejects.push(rejectOf(object, lines, usable.reason, line ?? lossy.decode(bytes)));
    start = end + 1;
  }
  return { lines, usable: jsonl(kept), usableLines: kept.length, rejects };
}

/** The reject of a whole object (not one of its lines), saying why. */
export const objectReject = (key: string, rejectedAt: string, reason: string): RejectRecord =>
  rejectRecord({ reason, rejected_at: rejectedAt, stage: "etl", object: key }, null);

const rejectOf = ({ key, rejectedAt }: ObjectToCheck, line: number, reason: string, text: string): RejectRecord =>
  rejectRecord({ reason, rejected_at: rejectedAt, stage: "etl", object: key, line }, text);
