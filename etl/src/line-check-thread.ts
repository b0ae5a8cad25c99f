// A worker thread of the line-check pool: checks the bronze objects it is sent.
import { parentPort } from "node:worker_threads";
import { checkObject, type ObjectToCheck } from "./line-check.ts";

parentPort?.on("message", (message: { id: number; object: ObjectToCheck }) => {
  const checked = checkObject(message.object);
  const transfer = checked.usable instanceof Uint8Array ? [checked.usable.buffer as ArrayBuffer] : [];
  parentPort?.postMessage({ id: message.id, checked }, transfer);
});
