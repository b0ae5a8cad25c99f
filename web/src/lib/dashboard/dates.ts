const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day `offset` days from today, `YYYY-MM-DD`: the mart's and silver's dates are UTC days. */
export function utcDayFromToday(offset: number, now: Date = new Date()): string {
  return new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
}

/** The day `days` days after `day` (before, when negative). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
