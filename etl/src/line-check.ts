import { parseBronzeLine, type RejectRecord } from "@growit/contract";

export interface ObjectToCheck {
  key: string;
  /** Whether the object is in the day's own bronze folder: only those report rejects (other days' runs report theirs). */
  own: boolean;
  bytes: Uint8Array;
  rejectedAt: string;
}

export interface CheckedObject {
  lines: number;
  /** What DuckDB should read: the bytes as stored when every line was usable and in normal form, else the usable lines. */
  usable: Uint8Array | string;
  usableLines: number;
  rejects: RejectRecord[];
}

/** What the main thread hears of a checked object once its usable lines are written to a file. */
export type WrittenObject = Omit<CheckedObject, "usable">;

const decoder = new TextDecoder();

/**
 * Checks every line of a bronze object against the contract. A line already in normal form is
 * kept as stored; one that is not is kept as its normalized envelope, so DuckDB only reads normal forms.
 */
export function checkObject({ key, own, bytes, rejectedAt }: ObjectToCheck): CheckedObject {
  const text = decoder.decode(bytes);
  const rejects: RejectRecord[] = [];
  // Lines to keep once some line cannot be kept as stored; built only when that happens.
  let kept: string[] | null = null;
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    lines++;
    const verdict = parseBronzeLine(line);
    if (!(verdict.ok && verdict.canonical) && kept === null) {
      kept = start === 0 ? [] : text.slice(0, start - 1).split("\n");
    }
    if (verdict.ok) kept?.push(verdict.canonical ? line : JSON.stringify(verdict.event));
    else if (own)
      rejects.push({
        reason: verdict.reason,
        rejected_at: rejectedAt,
        stage: "etl",
        object: key,
        line: lines,
        event: line,
      });
    start = end + 1;
  }
  if (kept === null) return { lines, usable: bytes, usableLines: lines, rejects };
  return { lines, usable: kept.length ? `${kept.join("\n")}\n` : "", usableLines: kept.length, rejects };
}
