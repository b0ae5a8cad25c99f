import { describe, expect, it } from "vitest";
import { inTransaction, type Queryable } from "./queryable.ts";

/** A session that records its statements, and fails the ones `fails` matches. */
function recording(fails?: RegExp): Queryable & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: async <Row>(text: string) => {
      statements.push(text);
      if (fails?.test(text)) throw new Error(`${text} failed`);
      return [] as Row[];
    },
  };
}

describe("inTransaction", () => {
  it("commits what the work did, and answers what it answered", async () => {
    const session = recording();
    const answer = await inTransaction(session, async () => {
      await session.query("UPDATE t SET x = 1");
      return 7;
    });
    expect(answer).toBe(7);
    expect(session.statements).toEqual(["BEGIN", "UPDATE t SET x = 1", "COMMIT"]);
  });

  it("rolls back when the work throws, and throws its error, not the rollback's", async () => {
    const session = recording(/^(UPDATE|ROLLBACK)/);
    await expect(inTransaction(session, () => session.query("UPDATE t SET x = 1"))).rejects.toThrow(
      "UPDATE t SET x = 1 failed",
    );
    expect(session.statements).toEqual(["BEGIN", "UPDATE t SET x = 1", "ROLLBACK"]);
  });
});
