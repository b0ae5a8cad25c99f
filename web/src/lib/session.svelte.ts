import type { Account } from "@growit/contract";
import { ApiError, api } from "./api.ts";

/**
 * Who is signed in, as the worker's session cookie says; loaded once per page load, and again on
 * reconnecting when the API was `unreachable` (offline: who is signed in is then not known).
 */
export const session = $state<{ account: Account | null; loaded: boolean; unreachable: boolean }>({
  account: null,
  loaded: false,
  unreachable: false,
});

export async function loadSession(): Promise<void> {
  try {
    session.account = (await api.me()).data;
    session.unreachable = false;
  } catch (error) {
    // 401 just means "not signed in"; anything else leaves the visitor anonymous too, and pages say what failed.
    if (!(error instanceof ApiError)) throw error;
    session.account = null;
    session.unreachable = error.status === 0;
  } finally {
    session.loaded = true;
  }
}
