import type { Account } from "@growit/contract";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { Db } from "../db/client.ts";

export const USERNAME = z.string().regex(/^[a-z0-9_.-]{3,32}$/, "must be 3 to 32 of a-z, 0-9, _ . -");
// The upper bound keeps PBKDF2's input reasonable; nobody types more.
export const PASSWORD = z.string().min(10, "must be at least 10 characters").max(256);
export const FULL_NAME = z.string().trim().min(1, "must not be empty").max(100);
export const INTERESTS = z
  .array(z.string().max(64))
  .max(20)
  .transform((ids) => [...new Set(ids)]);

export const ACCOUNT_COLUMNS = "username, full_name, interests, role, created_at";

/** A 400 naming any interest that is not a category id. */
export async function checkInterests(db: Db, interests: string[]): Promise<void> {
  if (interests.length === 0) return;
  const known = await db.query<{ id: string }>("SELECT id FROM app.categories WHERE id = ANY($1::text[])", [interests]);
  const unknown = interests.filter((id) => !known.some((row) => row.id === id));
  if (unknown.length) throw new HTTPException(400, { message: `interests: unknown category ${unknown.join(", ")}` });
}

export async function findAccount(db: Db, username: string): Promise<Account | undefined> {
  const [account] = await db.query<Account>(`SELECT ${ACCOUNT_COLUMNS} FROM app.users WHERE username = $1`, [username]);
  return account;
}
