import { CONFIG } from "./config.ts";

/**
 * Full-jitter exponential backoff: a delay drawn uniformly from [0, min(cap, base * 2^attempt)).
 * Jitter spreads out the retries of many clients that failed at the same moment (an outage).
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  baseMs: number = CONFIG.backoffBaseMs,
  capMs: number = CONFIG.backoffCapMs,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * A Retry-After header in milliseconds from `now`: either delay-seconds or an HTTP date.
 * Undefined when absent or unreadable; a date in the past means "now" (0).
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its weekday and month; bare numbers like "-5" are not dates.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
