import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logError, logInfo, requestFields } from "./log.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("log lines", () => {
  it("are objects with msg and the line's fields", () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => {});
    logInfo("cron ran", { cron: "*/15 * * * *", queued: ["2026-01-05"] });
    expect(info).toHaveBeenCalledWith({ msg: "cron ran", cron: "*/15 * * * *", queued: ["2026-01-05"] });
  });

  it("carry the error's message, whatever was thrown", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    logError("export storage failed", new Error("connect ECONNREFUSED"), { key: "exports/manifest.json" });
    logError("export storage failed", "S3 answered HTTP 500", { status: 500 });
    logError("postgres pool failed", new ErrorEvent("error", { message: "WebSocket closed" }));
    expect(error.mock.calls).toEqual([
      [{ msg: "export storage failed", key: "exports/manifest.json", error: "connect ECONNREFUSED" }],
      [{ msg: "export storage failed", status: 500, error: "S3 answered HTTP 500" }],
      [{ msg: "postgres pool failed", error: "WebSocket closed" }],
    ]);
  });
});

describe("requestFields", () => {
  const app = new Hono()
    .use(async (c, next) => {
      await next();
      c.header("x-fields", JSON.stringify(requestFields(c)));
    })
    .get("/things/:id", (c) => c.json(requestFields(c)))
    .get("/broken/:id", () => {
      throw new Error("broken");
    })
    .onError((_, c) => c.json(requestFields(c), 500));

  it("names the handler's route and the path asked for, in the handler, its middleware and the error handler", async () => {
    const expected = { route: "GET /things/:id", path: "/things/7" };
    const response = await app.request("/things/7");
    expect(await response.json()).toEqual(expected);
    expect(JSON.parse(response.headers.get("x-fields") ?? "")).toEqual(expected);
    const failed = await app.request("/broken/7");
    expect(await failed.json()).toEqual({ route: "GET /broken/:id", path: "/broken/7" });
  });
});
