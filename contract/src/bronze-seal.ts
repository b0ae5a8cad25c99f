// A bronze object's seal: the worker's word that it checked every line of the object against
// this contract. It is an AES-GMAC tag of the object's bytes (AES-256-GCM with the bytes as
// additional data and nothing to encrypt) under a key of its own, derived from the object's key
// and from a root key, itself derived from a secret the worker and the ETL share and from
// CONTRACT_VERSION; it is stored as the object's metadata. The ETL takes a sealed object's lines
// as checked (checking them again is most of its CPU time) and checks every line of any other
// object: one written by something else, moved, altered, or sealed under another contract version.
//
// Why GMAC and a key per object: the ETL computes the tag of every byte it downloads, and GHASH
// runs about four times as fast as SHA-256 there. GCM must never see one nonce twice under a key:
// each object has its own key, used once (a retried PUT sends the same bytes), so the nonce can
// be fixed.

/**
 * Bumped whenever the rules parseBronzeLine applies change, so that older seals stop counting.
 * bronze-seal.test.ts pins the props schemas, server-only types and limits to it; a change to the
 * envelope checks coded in parseBronzeLine (id and timestamp forms) needs the bump by hand.
 */
export const CONTRACT_VERSION = 3;

/** The S3 metadata key holding the seal (the header `x-amz-meta-growit-seal`). */
export const SEAL_HEADER = "x-amz-meta-growit-seal";

const encoder = new TextEncoder();

/** A WebCrypto HMAC key (named this way because Node's types have no global CryptoKey). */
export type SealKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const HMAC = { name: "HMAC", hash: "SHA-256" } as const;

/** GCM's nonce: fixed, as each object's key seals only that object. */
export const SEAL_NONCE = new Uint8Array(12);

/** The bytes of the root key of seals under this CONTRACT_VERSION, from the shared secret (BRONZE_SEAL_KEY). */
export async function bronzeSealKeyBytes(secret: string): Promise<ArrayBuffer> {
  const root = await crypto.subtle.importKey("raw", encoder.encode(secret), HMAC, false, ["sign"]);
  return crypto.subtle.sign("HMAC", root, encoder.encode(`growit bronze seal, contract v${CONTRACT_VERSION}`));
}

/** bronzeSealKeyBytes as a WebCrypto key, from which each object's key is derived. */
export async function bronzeSealKey(secret: string): Promise<SealKey> {
  return crypto.subtle.importKey("raw", await bronzeSealKeyBytes(secret), HMAC, false, ["sign"]);
}

/** The AES-256 key that seals the object at `objectKey`: HMAC-SHA256(root, objectKey). */
export const objectSealKeyBytes = (root: SealKey, objectKey: string): Promise<ArrayBuffer> =>
  crypto.subtle.sign("HMAC", root, encoder.encode(objectKey));

const toHex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** The seal of `body`, the exact bytes of the object at `objectKey`. */
export async function sealBronze(root: SealKey, objectKey: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", await objectSealKeyBytes(root, objectKey), "AES-GCM", false, [
    "encrypt",
  ]);
  // With nothing to encrypt, the output is the 16-byte tag alone.
  const tag = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: SEAL_NONCE, additionalData: body },
    key,
    new Uint8Array(),
  );
  return `v${CONTRACT_VERSION}.${toHex(tag)}`;
}

/**
 * The GMAC tag a seal carries, to compare with the object's own, or null when `seal` is absent,
 * malformed or of another contract version (so the object's lines must be checked).
 */
export function sealMac(seal: string | null): Uint8Array | null {
  const match = seal ? /^v(\d+)\.([0-9a-f]{32})$/.exec(seal) : null;
  if (!match || Number(match[1]) !== CONTRACT_VERSION) return null;
  return Uint8Array.from((match[2] as string).match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
