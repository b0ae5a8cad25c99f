import { LIMITS } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { CONFIG } from "./config.ts";

describe("CONFIG", () => {
  it("stays within what the server accepts", () => {
    expect(CONFIG.batchSize).toBeLessThanOrEqual(LIMITS.maxEventsPerBatch);
    expect(CONFIG.maxEventsPerRequest).toBeLessThanOrEqual(LIMITS.maxEventsPerBatch);
    expect(CONFIG.requestMaxBytes).toBeLessThanOrEqual(LIMITS.maxBodyBytes);
  });

  it("keeps beacons under the 64 KiB keepalive quota", () => {
    expect(CONFIG.beaconMaxBytes).toBeLessThan(64 * 1024);
  });

  it("lets the offline queue hold more than one batch or beacon", () => {
    expect(CONFIG.queueMaxBytes).toBeGreaterThan(CONFIG.beaconMaxBytes);
    expect(CONFIG.queueMaxEvents).toBeGreaterThanOrEqual(CONFIG.batchSize);
  });
});
