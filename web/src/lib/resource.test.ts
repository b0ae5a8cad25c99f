import { describe, expect, it } from "vitest";
import { ApiError, type Fetched } from "./api.ts";
import { Resource } from "./resource.svelte.ts";

/** A load whose answer the test gives when it wants. */
function deferred<T>() {
  let settle!: { resolve: (value: Fetched<T>) => void; reject: (error: unknown) => void };
  const promise = new Promise<Fetched<T>>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
}

/** A resource whose first and second loads answer when the test says. */
function twoLoads() {
  const loads = [deferred<string>(), deferred<string>()] as const;
  let n = 0;
  const resource = new Resource(() => loads[n++ % 2].promise);
  return { resource, loads };
}

describe("Resource", () => {
  it("is loading until its first answer, then holds it and when it was saved", async () => {
    const savedAt = new Date("2026-03-01T10:00:00Z");
    const resource = new Resource(async () => ({ data: 42, savedAt }));
    expect(resource.loading).toBe(true);
    expect(await resource.reload()).toBe(true);
    expect([resource.data, resource.savedAt, resource.loading, resource.error]).toEqual([
      42,
      savedAt,
      false,
      undefined,
    ]);
  });

  it("keeps only the latest load's answer, whichever arrives first", async () => {
    const { resource, loads } = twoLoads();
    const first = resource.reload();
    const second = resource.reload();
    loads[1].resolve({ data: "new", savedAt: undefined });
    expect(await second).toBe(true);
    loads[0].resolve({ data: "old", savedAt: undefined });
    expect(await first).toBe(false);
    expect([resource.data, resource.loading]).toEqual(["new", false]);
  });

  it("is still loading while a later load runs, whatever an earlier one did", async () => {
    const { resource, loads } = twoLoads();
    const first = resource.reload();
    void resource.reload();
    loads[0].reject(new ApiError(500, "boom"));
    expect(await first).toBe(false);
    expect([resource.loading, resource.error]).toEqual([true, undefined]);
  });

  it("says why a load failed, keeps the last answer, and clears the error when loading again", async () => {
    let fail: unknown;
    const resource = new Resource(async () => {
      if (fail) throw fail;
      return { data: "kept", savedAt: undefined };
    });
    await resource.reload();
    fail = new ApiError(0, "network");
    expect(await resource.reload()).toBe(false);
    expect([resource.data, resource.error]).toEqual(["kept", { status: 0, message: "network" }]);
    fail = new Error("Binder Error: no such column");
    await resource.reload();
    expect(resource.error).toEqual({ status: 0, message: "Binder Error: no such column" });
    fail = undefined;
    const again = resource.reload();
    expect(resource.error).toBeUndefined();
    await again;
  });
});
