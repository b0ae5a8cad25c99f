// A worker thread of the line-check pool: checks the bronze objects downloaded to the files it is
// sent, and leaves in each file only its usable lines (the file untouched when they all are; gone
// when none is). Reading and writing here, not on the main thread, leaves that to download.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { checkObject, type ObjectToCheck, type WrittenObject } from "./line-check.ts";

export interface CheckRequest {
  id: number;
  object: Omit<ObjectToCheck, "bytes">;
  /** The file holding the object's bytes. */
  path: string;
}

export type CheckReply = { id: number; written: WrittenObject } | { id: number; error: string };

parentPort?.on("message", ({ id, object, path }: CheckRequest) => {
  let reply: CheckReply;
  try {
    const bytes = readFileSync(path);
    const { usable, ...written } = checkObject({ ...object, bytes });
    if (written.usableLines === 0) unlinkSync(path);
    else if (usable !== bytes) writeFileSync(path, usable);
    reply = { id, written };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
