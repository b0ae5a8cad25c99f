import { describe, expect, it } from "vitest";
import { z } from "zod";
import { bronzeSealKey, CONTRACT_VERSION, isSealed, sealBronze } from "./bronze-seal.ts";
import { EVENT_TYPES, PROPS_SCHEMAS, SERVER_ONLY_TYPES } from "./events.ts";
import { LIMITS } from "./limits.ts";

const body = new TextEncoder().encode('{"id":"0193a0b2-7c1e-7d4a-9f00-1234567890ab"}\n');

describe("bronze seals", () => {
  it("verifies what the same secret sealed, and nothing else", async () => {
    const key = await bronzeSealKey("a shared secret");
    const seal = await sealBronze(key, body);
    expect(seal).toMatch(new RegExp(`^v${CONTRACT_VERSION}\\.[0-9a-f]{64}$`));
    expect(await isSealed(key, body, seal)).toBe(true);

    const altered = body.slice();
    altered[10] = 0x41;
    expect(await isSealed(key, altered, seal)).toBe(false);
    expect(await isSealed(await bronzeSealKey("another secret"), body, seal)).toBe(false);
    expect(await isSealed(key, body, null)).toBe(false);
    expect(await isSealed(key, body, seal.replace(/^v\d+/, `v${CONTRACT_VERSION + 1}`))).toBe(false);
    expect(await isSealed(key, body, `${seal}0`)).toBe(false);
  });

  // A seal says "checked under CONTRACT_VERSION": when the rules change, the version must change
  // too, or the ETL would take objects checked under the old rules as checked under the new ones.
  it("pins the contract's rules to CONTRACT_VERSION", async () => {
    const rules = JSON.stringify({
      props: Object.fromEntries(EVENT_TYPES.map((type) => [type, z.toJSONSchema(PROPS_SCHEMAS[type])])),
      serverOnly: SERVER_ONLY_TYPES,
      limits: LIMITS,
    });
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(rules));
    const fingerprint = Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
    // Changed the rules? Bump CONTRACT_VERSION, then record the new fingerprint here.
    expect({ version: CONTRACT_VERSION, fingerprint }).toEqual({ version: 1, fingerprint: "127102656d8285bc" });
  });
});
