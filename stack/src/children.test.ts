import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startChild, stopChildren } from "./children.ts";

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
});
