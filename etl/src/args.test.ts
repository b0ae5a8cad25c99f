import { describe, expect, it } from "vitest";
import { parseCommand, UsageError } from "./args.ts";

describe("parseCommand", () => {
  it("reads the run modes", () => {
    expect(parseCommand(["run", "--date", "2026-01-05"])).toEqual({ kind: "run", days: ["2026-01-05"] });
    expect(parseCommand(["run", "--from", "2026-01-30", "--to", "2026-02-01"])).toEqual({
      kind: "run",
      days: ["2026-01-30", "2026-01-31", "2026-02-01"],
    });
    expect(parseCommand(["run", "--pending"])).toEqual({ kind: "run-pending" });
  });

  it("reads the worker's options, with defaults", () => {
    expect(parseCommand(["work"])).toEqual({ kind: "work", pollMs: 2000, maxAttempts: 3 });
    expect(parseCommand(["work", "--poll-ms", "250", "--max-attempts", "5"])).toEqual({
      kind: "work",
      pollMs: 250,
      maxAttempts: 5,
    });
  });

  it("asks for help", () => {
    expect(parseCommand([])).toEqual({ kind: "help" });
    expect(parseCommand(["--help"])).toEqual({ kind: "help" });
  });

  it.each([
    [["run"], /one of --date/],
    [["run", "--date", "2026-01-05", "--pending"], /one of --date/],
    [["run", "--date", "2026-02-30"], /--date must be a date/],
    [["run", "--from", "2026-01-05"], /go together/],
    [["run", "--from", "2026-01-05", "--to", "2026-01-01"], /before/],
    [["run", "--date", "2026-01-05", "--verbose"], /Unknown option '--verbose'/],
    [["work", "--poll-ms", "0"], /--poll-ms must be a positive integer/],
    [["work", "extra"], /positional/],
    [["sync"], /unknown command sync/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
