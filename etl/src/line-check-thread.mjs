// Entry of a line-check worker thread: registers tsx's loader in this thread (a worker does not
// inherit it), then runs the TypeScript thread body.
import { register } from "tsx/esm/api";

register();
await import("./line-check-thread.ts");
