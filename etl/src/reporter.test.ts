import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { JsonReporter, reporterFor, TerminalReporter } from "./reporter.ts";

/** A stream that keeps what is written to it, as a terminal or not. */
function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY }) as unknown as NodeJS.WriteStream & PassThrough;
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

describe("JsonReporter", () => {
  it("writes one pino-shaped object per line: numeric level, time in epoch ms, msg, then the fields", () => {
    const { stream, text } = capture(false);
    const reporter = new JsonReporter(stream);
    const before = Date.now();
    reporter.log("info", "worker started", { name: "w" });
    reporter.log("warn", "poll failed", { error: "S3 away" });
    reporter.log("error", "etl failed to start", { error: "DATABASE_URL is not set" });
    const lines = text()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { level: 30, time: expect.any(Number), msg: "worker started", name: "w" },
      { level: 40, time: expect.any(Number), msg: "poll failed", error: "S3 away" },
      { level: 50, time: expect.any(Number), msg: "etl failed to start", error: "DATABASE_URL is not set" },
    ]);
    for (const line of lines) expect(line.time).toBeGreaterThanOrEqual(before);
  });

  it("logs a failed day as an error and a done one as info", () => {
    const { stream, text } = capture(false);
    const reporter = new JsonReporter(stream);
    reporter.outcome({ day: "2026-01-05", attempt: 1, status: "done", sealedObjects: 2 });
    reporter.outcome({ day: "2026-01-06", attempt: 2, status: "failed", error: "S3 away" });
    const [done, failed] = text()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(done).toMatchObject({ level: 30, msg: "day done", day: "2026-01-05", sealed_objects: 2 });
    expect(failed).toMatchObject({ level: 50, msg: "day failed", day: "2026-01-06", error: "S3 away" });
  });
});

describe("reporterFor", () => {
  it("draws on a terminal, logs JSON lines off one or when asked to", () => {
    expect(reporterFor(false, capture(true).stream)).toBeInstanceOf(TerminalReporter);
    expect(reporterFor(false, capture(false).stream)).toBeInstanceOf(JsonReporter);
    expect(reporterFor(true, capture(true).stream)).toBeInstanceOf(JsonReporter);
  });
});

describe("TerminalReporter", () => {
  it("labels warnings and errors", () => {
    const { stream, text } = capture(true);
    const reporter = new TerminalReporter(stream);
    reporter.log("info", "worker started", { name: "w" });
    reporter.log("error", "etl failed to start", { error: "DATABASE_URL is not set" });
    expect(text()).toBe("worker started name=w\nerror: etl failed to start error=DATABASE_URL is not set\n");
  });
});
