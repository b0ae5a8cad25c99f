import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answers, startChild, stopChildren, waitForOk } from "./children.ts";

/** Running, i.e. neither gone nor a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(stat, "utf8"));
  } catch {
    return false;
  }
}

describe("children", () => {
  it("stops a child and the processes it spawned", async () => {
    // A shell that starts a grandchild, which would outlive killing the shell alone.
    const pidFile = join(mkdtempSync(join(tmpdir(), "growit-children-")), "pid");
    const child = startChild({ name: "sh", command: "sh", args: ["-c", `sleep 60 & echo $! > ${pidFile}; wait`] });
    while (!existsSync(pidFile) || !readFileSync(pidFile, "utf8").trim()) await new Promise((r) => setTimeout(r, 20));
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    const pid = child.process.pid ?? 0;
    expect(alive(pid)).toBe(true);
    expect(alive(grandchild)).toBe(true);
    await stopChildren([child], 1000);
    expect(alive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it("escalates to SIGKILL when SIGTERM is ignored", async () => {
    const child = startChild({
      name: "stubborn",
      command: "sh",
      args: ["-c", "trap '' TERM; sleep 60 & wait; sleep 60"],
    });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await child.stop(300);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await child.exited).toBe("SIGKILL");
  });

  it("reports a child that exits by itself", async () => {
    const child = startChild({ name: "false", command: "sh", args: ["-c", "exit 3"] });
    expect(await child.exited).toBe(3);
    await child.stop();
  });

  it("writes its output to a log file, emptied first or appended to", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "growit-children-")), "logs", "child.log");
    const say = (words: string, append?: boolean) =>
      startChild({
        name: "echo",
        command: "sh",
        args: ["-c", `echo ${words}; echo ${words} on stderr >&2`],
        log: { path: log, ...(append ? { append } : {}) },
      }).exited;
    await say("first");
    await say("second");
    expect(readFileSync(log, "utf8")).toBe("second\nsecond on stderr\n");
    await say("third", true);
    expect(readFileSync(log, "utf8")).toBe("second\nsecond on stderr\nthird\nthird on stderr\n");
  });

  it("asks the group to stop with its stop signal", async () => {
    const child = startChild({
      name: "interruptible",
      command: "sh",
      args: ["-c", "trap 'exit 7' INT; trap '' TERM; sleep 60 & wait"],
      stopSignal: "SIGINT",
    });
    await new Promise((r) => setTimeout(r, 200));
    await child.stop(5000);
    expect(await child.exited).toBe(7);
  });
});

describe("waitForOk", () => {
  it("waits until the address answers 2xx", async () => {
    let calls = 0;
    const server = createServer((_, response) => {
      calls++;
      response.statusCode = calls < 3 ? 503 : 200;
      response.end(calls < 3 ? "starting" : "ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    try {
      expect(await answers(url)).toBe(false);
      await waitForOk(url, { timeoutMs: 10_000 });
      expect(calls).toBe(3);
      expect(await answers(url)).toBe(true);
    } finally {
      server.close();
    }
  });

  it("names the last answer and what `describe` adds when time runs out", async () => {
    const server = createServer((_, response) => {
      response.statusCode = 503;
      response.end("not yet");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await expect(waitForOk(url, { timeoutMs: 300, describe: () => "see the log" })).rejects.toThrow(
        /within 300 ms \(last: 503 not yet\)\nsee the log$/,
      );
    } finally {
      server.close();
    }
  });

  it("stops waiting when a child that serves the address exits", async () => {
    const server = startChild({ name: "server", command: "sh", args: ["-c", "exit 4"] });
    const started = Date.now();
    // Port 9 (discard) answers nothing.
    await expect(waitForOk("http://127.0.0.1:9/", { timeoutMs: 60_000, children: [server] })).rejects.toThrow(
      /^server exited \(4\) before/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
