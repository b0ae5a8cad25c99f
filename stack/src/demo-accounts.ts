// The demo accounts `npm start` creates in local mode only (embedded Postgres), so a
// fresh checkout can be tried at once. Never created against a DATABASE_URL.
import { hashPassword } from "@growit/contract";
import { withClient } from "./pg-client.ts";

export const DEMO_ACCOUNTS = [
  { username: "demo", password: "growit-demo", full_name: "데모 학습자", interests: ["data", "ai"], role: "learner" },
  { username: "analyst", password: "growit-analyst", full_name: "데모 분석가", interests: [], role: "analyst" },
] as const;

/** Creates each demo account that does not exist yet; returns the usernames it created. */
export async function ensureDemoAccounts(databaseUrl: string): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const created: string[] = [];
    for (const account of DEMO_ACCOUNTS) {
      const result = await client.query(
        `INSERT INTO app.users (username, password_hash, full_name, interests, role)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
        [account.username, await hashPassword(account.password), account.full_name, account.interests, account.role],
      );
      if (result.rowCount) created.push(account.username);
    }
    return created;
  });
}
