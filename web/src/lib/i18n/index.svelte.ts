import { en } from "./en.ts";
import { type CountMessageKey, ko, type MessageKey, type Messages } from "./ko.ts";
import { plural } from "./plural.ts";

export type Locale = "ko" | "en";
export const LOCALES: Record<Locale, { label: string; messages: Messages }> = {
  ko: { label: "한국어", messages: ko },
  en: { label: "English", messages: en },
};
const STORAGE_KEY = "growit.locale";

/** The browser's preferred language decides, unless the learner picked one before. */
function initialLocale(): Locale {
  if (typeof window === "undefined") return "ko";
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "ko" || saved === "en") return saved;
  const preferred = navigator.languages?.[0] ?? navigator.language ?? "ko";
  return preferred.toLowerCase().startsWith("ko") ? "ko" : "en";
}

export const i18n = $state({ locale: initialLocale() });

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

type Params = Record<string, string | number>;

const fill = (text: string, params: Params): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));

/** The message `key` in the current language, with its `{name}` slots filled in. */
export function t(key: MessageKey, params: Params = {}): string {
  return fill(LOCALES[i18n.locale].messages[key], params);
}

/**
 * The count message `key` in the current language, in the plural form `count` takes there, with
 * `{n}` the count written for that language and its other `{name}` slots filled in.
 */
export function tn(key: CountMessageKey, count: number, params: Params = {}): string {
  const locale = i18n.locale;
  return fill(plural(locale, count, LOCALES[locale].messages[key]), params);
}
