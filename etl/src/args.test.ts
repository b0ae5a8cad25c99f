import { describe, expect, it } from "vitest";
import { parseCommand, RUN_USAGE, USAGE, UsageError, WORK_USAGE } from "./args.ts";

describe("parseCommand", () => {
  it("reads the run modes", () => {
    expect(parseCommand(["run", "--date", "2026-01-05"])).toEqual({ kind: "run", days: ["2026-01-05"], json: false });
    expect(parseCommand(["run", "--from", "2026-01-30", "--to", "2026-02-01"])).toEqual({
      kind: "run",
      days: ["2026-01-30", "2026-01-31", "2026-02-01"],
      json: false,
    });
    expect(parseCommand(["run", "--pending"])).toEqual({ kind: "run-pending", json: false });
  });

  it("reads the worker's options, with defaults", () => {
    expect(parseCommand(["work"])).toEqual({ kind: "work", pollMs: 2000, maxAttempts: 3, json: false });
    expect(parseCommand(["work", "--poll-ms", "250", "--max-attempts", "5"])).toEqual({
      kind: "work",
      pollMs: 250,
      maxAttempts: 5,
      json: false,
    });
  });

  it("reads --json after either command", () => {
    expect(parseCommand(["run", "--pending", "--json"])).toEqual({ kind: "run-pending", json: true });
    expect(parseCommand(["work", "--json"])).toMatchObject({ kind: "work", json: true });
  });

  it("asks for the help of the CLI, or of one command", () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"]]) {
      expect(parseCommand(argv)).toEqual({ kind: "help", usage: USAGE });
    }
    for (const argv of [
      ["run", "--help"],
      ["run", "-h"],
      ["run", "--date", "2026-01-05", "--help"],
      ["help", "run"],
    ]) {
      expect(parseCommand(argv)).toEqual({ kind: "help", usage: RUN_USAGE });
    }
    for (const argv of [
      ["work", "--help"],
      ["help", "work"],
    ]) {
      expect(parseCommand(argv)).toEqual({ kind: "help", usage: WORK_USAGE });
    }
  });

  it("asks for the version", () => {
    expect(parseCommand(["--version"])).toEqual({ kind: "version" });
  });

  it("gives each command a help of its own options", () => {
    expect(RUN_USAGE).toMatch(/--date.*--from.*--to.*--pending.*--json.*--help/s);
    expect(RUN_USAGE).not.toContain("--poll-ms");
    expect(WORK_USAGE).toMatch(/--poll-ms.*--max-attempts.*--json.*--help/s);
    expect(WORK_USAGE).not.toContain("--pending");
    expect(USAGE).toMatch(/run.*work.*--help.*--version/s);
  });

  it.each([
    [["run"], /one of --date/, RUN_USAGE],
    [["run", "--date", "2026-01-05", "--pending"], /one of --date/, RUN_USAGE],
    [["run", "--date", "2026-02-30"], /--date must be a date/, RUN_USAGE],
    [["run", "--from", "2026-01-05"], /go together/, RUN_USAGE],
    [["run", "--from", "2026-01-05", "--to", "2026-01-01"], /before/, RUN_USAGE],
    [["run", "--date", "2026-01-05", "--verbose"], /Unknown option '--verbose'/, RUN_USAGE],
    [["run", "--poll-ms", "5"], /Unknown option '--poll-ms'/, RUN_USAGE],
    [["work", "--poll-ms", "0"], /--poll-ms must be a positive integer/, WORK_USAGE],
    [["work", "--pending"], /Unknown option '--pending'/, WORK_USAGE],
    [["work", "extra"], /positional/, WORK_USAGE],
    [["sync"], /unknown command sync/, USAGE],
  ])("refuses %j with that command's usage", (argv, message, usage) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(message), usage }),
    );
  });
});
