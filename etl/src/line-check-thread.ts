// A worker thread of the line-check pool: checks the bronze objects it is sent and writes their
// usable lines where it is told. Writing here, not on the main thread, keeps the lines from
// crossing threads twice (a copy, when they are a rebuilt string) and leaves the main thread to download.
import { writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { checkObject, type ObjectToCheck, type WrittenObject } from "./line-check.ts";

export interface CheckRequest {
  id: number;
  object: ObjectToCheck;
  /** Where the usable lines go; nothing is written when there are none. */
  path: string;
}

export type CheckReply = { id: number; written: WrittenObject } | { id: number; error: string };

parentPort?.on("message", ({ id, object, path }: CheckRequest) => {
  let reply: CheckReply;
  try {
    const { usable, ...written } = checkObject(object);
    if (written.usableLines > 0) writeFileSync(path, usable);
    reply = { id, written };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
