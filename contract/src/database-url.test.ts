import { describe, expect, it } from "vitest";
import { maskDatabaseUrl } from "./database-url.ts";

describe("maskDatabaseUrl", () => {
  it("masks the password and nothing else", () => {
    expect(maskDatabaseUrl("postgres://u:secret@h:1/d?sslmode=require")).toBe("postgres://u:***@h:1/d?sslmode=require");
    expect(maskDatabaseUrl("postgres://postgres@127.0.0.1:5433/postgres")).toBe(
      "postgres://postgres@127.0.0.1:5433/postgres",
    );
  });

  it("prints nothing of a URL it cannot parse", () => {
    expect(maskDatabaseUrl("not a url")).not.toContain("not a url");
  });
});
