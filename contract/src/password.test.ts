import { describe, expect, it } from "vitest";
import { DECOY_HASH, hashPassword, PASSWORD_ITERATIONS, verifyPassword } from "./password.ts";

describe("password hashing", () => {
  it("stores scheme, iterations, salt and hash, never the password", async () => {
    const stored = await hashPassword("growit-demo");
    expect(stored).toMatch(
      new RegExp(`^pbkdf2-sha256\\$${PASSWORD_ITERATIONS}\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}$`),
    );
    expect(stored).not.toContain("growit-demo");
    expect(await hashPassword("growit-demo")).not.toBe(stored);
  });

  it("verifies the right password only", async () => {
    const stored = await hashPassword("correct horse", 1_000);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("never matches a malformed hash", async () => {
    for (const stored of ["", "plain", "md5$1$a$b", "pbkdf2-sha256$x$a$b", "pbkdf2-sha256$0$AA==$AA=="]) {
      expect(await verifyPassword("x", stored)).toBe(false);
    }
  });

  it("has a decoy hash shaped like a real one that matches no password", async () => {
    const real = await hashPassword("growit-demo");
    const shape = (stored: string) => stored.replace(/[A-Za-z0-9+/]/g, "x");
    expect(shape(DECOY_HASH)).toBe(shape(real));
    for (const password of ["", "growit-demo", "an account that does not exist"]) {
      expect(await verifyPassword(password, DECOY_HASH)).toBe(false);
    }
  });
});
