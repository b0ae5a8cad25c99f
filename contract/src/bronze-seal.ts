// A bronze object's seal: the worker's word that it checked every line of the object against
// this contract. It is an HMAC-SHA256 of the object's bytes under a key derived from a secret
// the worker and the ETL share and from CONTRACT_VERSION, stored as the object's metadata. The
// ETL takes a sealed object's lines as checked (checking them again is most of its CPU time) and
// checks every line of any other object: one written by something else, under another version
// of the contract, or altered since.

/**
 * Bumped whenever the rules parseBronzeLine applies change, so that older seals stop counting.
 * bronze-seal.test.ts pins the props schemas, server-only types and limits to it; a change to the
 * envelope checks coded in parseBronzeLine (id and timestamp forms) needs the bump by hand.
 */
export const CONTRACT_VERSION = 1;

/** The S3 metadata key holding the seal (the header `x-amz-meta-growit-seal`). */
export const SEAL_HEADER = "x-amz-meta-growit-seal";

const encoder = new TextEncoder();

/** A WebCrypto HMAC key (named this way because Node's types have no global CryptoKey). */
export type SealKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const HMAC = { name: "HMAC", hash: "SHA-256" } as const;

/** The bytes of the key that seals bronze objects under this CONTRACT_VERSION, from the shared secret (BRONZE_SEAL_KEY). */
export async function bronzeSealKeyBytes(secret: string): Promise<ArrayBuffer> {
  const root = await crypto.subtle.importKey("raw", encoder.encode(secret), HMAC, false, ["sign"]);
  return crypto.subtle.sign("HMAC", root, encoder.encode(`growit bronze seal, contract v${CONTRACT_VERSION}`));
}

/** bronzeSealKeyBytes as a WebCrypto key. */
export async function bronzeSealKey(secret: string): Promise<SealKey> {
  return crypto.subtle.importKey("raw", await bronzeSealKeyBytes(secret), HMAC, false, ["sign"]);
}

const toHex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** The seal of `body` (an object's exact bytes). */
export async function sealBronze(key: SealKey, body: Uint8Array<ArrayBuffer>): Promise<string> {
  return `v${CONTRACT_VERSION}.${toHex(await crypto.subtle.sign("HMAC", key, body))}`;
}

/**
 * The HMAC-SHA256 a seal carries, to compare with the object's own, or null when `seal` is
 * absent, malformed or of another contract version (so the object's lines must be checked).
 */
export function sealMac(seal: string | null): Uint8Array | null {
  const match = seal ? /^v(\d+)\.([0-9a-f]{64})$/.exec(seal) : null;
  if (!match || Number(match[1]) !== CONTRACT_VERSION) return null;
  return Uint8Array.from((match[2] as string).match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
