import type { Account } from "@growit/contract";
import { ApiError, api } from "./api.ts";

/** Who is signed in, as the worker's session cookie says; loaded once per page load. */
export const session = $state<{ account: Account | null; loaded: boolean }>({ account: null, loaded: false });

export async function loadSession(): Promise<void> {
  try {
    session.account = await api.me();
  } catch (error) {
    // 401 just means "not signed in"; anything else leaves the visitor anonymous too, and pages say what failed.
    if (!(error instanceof ApiError)) throw error;
    session.account = null;
  } finally {
    session.loaded = true;
  }
}
