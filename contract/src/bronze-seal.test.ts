import { describe, expect, it } from "vitest";
import { z } from "zod";
import { bronzeSealKey, bronzeSealKeyBytes, CONTRACT_VERSION, sealBronze, sealMac } from "./bronze-seal.ts";
import { EVENT_TYPES, PROPS_SCHEMAS, SERVER_ONLY_TYPES } from "./events.ts";
import { LIMITS } from "./limits.ts";

const OBJECT_KEY = "bronze/app/2026/03/04/part-100000000-0193a0b2-7c1e-7d4a-9f00-1234567890ab.jsonl";
const body = new TextEncoder().encode('{"id":"0193a0b2-7c1e-7d4a-9f00-1234567890ab"}\n');

describe("bronze seals", () => {
  it("carries the GMAC tag of the body under the object's own key, and names its version", async () => {
    const secret = "a shared secret";
    const root = await bronzeSealKey(secret);
    const seal = await sealBronze(root, OBJECT_KEY, body);
    expect(seal).toMatch(new RegExp(`^v${CONTRACT_VERSION}\\.[0-9a-f]{32}$`));
    // The same tag by hand: HMAC-SHA256(root, object key) as the AES-256-GCM key, the body as additional data.
    const hmac = { name: "HMAC", hash: "SHA-256" };
    const rootKey = await crypto.subtle.importKey("raw", await bronzeSealKeyBytes(secret), hmac, false, ["sign"]);
    const objectKey = await crypto.subtle.sign("HMAC", rootKey, new TextEncoder().encode(OBJECT_KEY));
    const aes = await crypto.subtle.importKey("raw", objectKey, "AES-GCM", false, ["encrypt"]);
    const tag = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: new Uint8Array(12), additionalData: body },
      aes,
      new Uint8Array(),
    );
    expect(sealMac(seal)).toEqual(new Uint8Array(tag));
    for (const other of [
      await sealBronze(await bronzeSealKey("another secret"), OBJECT_KEY, body),
      await sealBronze(root, OBJECT_KEY.replace("part-", "part-1"), body),
      await sealBronze(root, OBJECT_KEY, body.subarray(1) as Uint8Array<ArrayBuffer>),
    ]) {
      expect(other).not.toBe(seal);
    }
  });

  it("has no tag to offer when absent, malformed or of another contract version", () => {
    const mac = "ab".repeat(16);
    expect(sealMac(`v${CONTRACT_VERSION}.${mac}`)).toHaveLength(16);
    for (const seal of [
      null,
      "",
      mac,
      `v${CONTRACT_VERSION}.${mac}0`,
      `v${CONTRACT_VERSION}.${mac}${mac}`,
      `v${CONTRACT_VERSION + 1}.${mac}`,
    ]) {
      expect(sealMac(seal)).toBeNull();
    }
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
    expect({ version: CONTRACT_VERSION, fingerprint }).toEqual({ version: 3, fingerprint: "69cbc305d2426c0c" });
  });
});
