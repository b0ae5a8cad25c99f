// No secret is committed: local secrets live in .dev.vars and the environment only.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./local.ts";

const SECRET_PATTERNS: Array<[string, RegExp]> = [
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["an AWS access key id", /\bAKIA[0-9A-Z]{16}\b/],
  // A name with no value (worker/secret-names.env) is no secret: a value must follow on the same line.
  ["a session secret value", /SESSION_SECRET[ \t]*=[ \t]*["']?[A-Za-z0-9+/=_-]{16,}/],
  ["a bronze seal key value", /BRONZE_SEAL_KEY[ \t]*=[ \t]*["']?[A-Za-z0-9+/=_-]{16,}/],
  // Passwords in examples are stand-ins (password, secret, ***, <...>); local test servers are not secrets.
  [
    "a Postgres URL with a password",
    /postgres(?:ql)?:\/\/[^:\s/@]+:(?!(?:password|secret|\*\*\*|<[^>]*>)@)[^@\s]{6,}@(?!127\.0\.0\.1|localhost)/,
  ],
];

const tracked = () =>
  execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\0")
    .filter((path) => path && !path.endsWith("package-lock.json"));

describe("the repository", () => {
  it("tracks no .dev.vars, .env or data files", () => {
    expect(tracked().filter((path) => /(^|\/)(\.dev\.vars|\.env(\..*)?)$|^\.data\//.test(path))).toEqual([]);
  });

  it("holds no secrets", () => {
    const found: string[] = [];
    for (const path of tracked()) {
      const text = readFileSync(join(REPO_ROOT, path), "utf8");
      for (const [what, pattern] of SECRET_PATTERNS) if (pattern.test(text)) found.push(`${path}: ${what}`);
    }
    expect(found).toEqual([]);
  });
});
