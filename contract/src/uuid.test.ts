import { describe, expect, it } from "vitest";
import { uuidv7 } from "./uuid.ts";

describe("uuidv7", () => {
  it("encodes the time, version and variant", () => {
    const id = uuidv7(0x0193a0b27c1e);
    expect(id).toMatch(/^0193a0b2-7c1e-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it("sorts by creation time and does not repeat", () => {
    const ids = [uuidv7(1), uuidv7(2), uuidv7(3)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7())).size).toBe(1000);
  });
});
