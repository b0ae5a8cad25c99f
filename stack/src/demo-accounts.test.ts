import { verifyPassword } from "@growit/contract";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ACCOUNTS, ensureDemoAccounts } from "./demo-accounts.ts";
import { migrate } from "./migrate.ts";
import { createScratchDatabase } from "./test-db.ts";

let database: Awaited<ReturnType<typeof createScratchDatabase>>;
beforeAll(async () => {
  database = await createScratchDatabase();
  await migrate(database.url);
});
afterAll(() => database.drop());

describe("ensureDemoAccounts", () => {
  it("creates the learner and the analyst once, with hashed passwords", async () => {
    expect(await ensureDemoAccounts(database.url)).toEqual(["demo", "analyst"]);
    expect(await ensureDemoAccounts(database.url)).toEqual([]);
    const client = new pg.Client(database.url);
    await client.connect();
    const { rows } = await client.query("SELECT username, role, password_hash FROM app.users ORDER BY username");
    await client.end();
    expect(rows.map((r) => [r.username, r.role])).toEqual([
      ["analyst", "analyst"],
      ["demo", "learner"],
    ]);
    for (const account of DEMO_ACCOUNTS) {
      const stored = rows.find((r) => r.username === account.username)?.password_hash as string;
      expect(stored).not.toContain(account.password);
      expect(await verifyPassword(account.password, stored)).toBe(true);
    }
  });
});
