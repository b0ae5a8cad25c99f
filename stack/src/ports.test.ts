import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { busyPorts, isPortFree, portInUseMessage, waitForPortFree } from "./ports.ts";

describe("ports", () => {
  it("sees a taken port and its release", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    if (address === null || typeof address !== "object") throw new Error("no address");
    const port = address.port;
    expect(await isPortFree(port)).toBe(false);
    expect(await busyPorts([{ port, what: "test" }])).toEqual([{ port, what: "test" }]);
    expect(portInUseMessage({ port, what: "test" })).toBe(
      `port ${port} (test) is in use (another npm start?): stop it or free the port`,
    );
    const freed = waitForPortFree(port, 5000);
    server.close();
    await freed;
    expect(await isPortFree(port)).toBe(true);
  });
});
