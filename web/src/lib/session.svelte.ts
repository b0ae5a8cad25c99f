import type { Account } from "@growit/contract";
import { goto } from "$app/navigation";
import { ApiError, api } from "./api.ts";
import { t } from "./i18n/index.svelte.ts";

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

/**
 * Signs in through `call` (log-in or sign-up) and goes home; on failure returns the message for
 * the form. `messageFor` words the answers the form knows (null: the generic one); being offline
 * reads the same on every form.
 */
export async function enterAccount(
  call: () => Promise<Account>,
  messageFor: (error: ApiError) => string | null,
): Promise<string | null> {
  try {
    session.account = await call();
    await goto("/");
    return null;
  } catch (error) {
    if (!(error instanceof ApiError)) return t("state.error");
    if (error.status === 0) return t("state.offline");
    return messageFor(error) ?? t("state.error");
  }
}
