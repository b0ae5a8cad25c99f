import type { Cell } from "./result.ts";

/** A cell as text for the page: numbers with the locale's digit grouping, null as an em dash. */
export function formatCell(value: Cell, locale: string): string {
  if (value === null) return "—";
  if (typeof value === "number") return value.toLocaleString(locale, { maximumFractionDigits: 6 });
  return String(value);
}

/** A duration in seconds as its two largest units: `2 h 5 min`, `3 min 4 s`, `12 s`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const parts: [number, string][] = [
    [days, "d"],
    [hours, "h"],
    [minutes, "min"],
    [s % 60, "s"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return "0 s";
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(" ");
}
