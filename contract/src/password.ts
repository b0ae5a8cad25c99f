/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto (the worker and Node alike), a
 * random 16-byte salt per user, and the iteration count stored with the hash so it
 * can be raised later. Workers allow at most 100,000 iterations.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>`.
 */
export const PASSWORD_ITERATIONS = 100_000;
const SCHEME = "pbkdf2-sha256";
const HASH_BYTES = 32;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PASSWORD_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * A well-formed stored hash that no password matches (its salt and hash are zero bytes). A login
 * for an account that does not exist is checked against it, so it costs the same key derivation
 * as a wrong password. A constant, because workerd refuses random numbers at module scope.
 */
export const DECOY_HASH = `${SCHEME}$${PASSWORD_ITERATIONS}$${toBase64(new Uint8Array(16))}$${toBase64(new Uint8Array(HASH_BYTES))}`;

/** Constant-time check of `password` against a stored hash; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterationsText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationsText);
  if (scheme !== SCHEME || !Number.isInteger(iterations) || iterations < 1 || !saltText || !hashText) return false;
  const expected = fromBase64(hashText);
  const actual = await derive(password, fromBase64(saltText), iterations);
  if (actual.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < actual.length; i++) difference |= (actual[i] as number) ^ (expected[i] as number);
  return difference === 0;
}
