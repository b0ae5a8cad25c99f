// What silver and the mart must hold, derived from bronze alone: the ETL's dedupe rule (the
// earliest received_at wins; ties: the smaller object key), applied to every copy of every id,
// whatever day each copy arrived in or was corrected to.
import { utcDay } from "@growit/contract";
import { type BronzeCopy, martKey } from "./verify.ts";

const wins = (a: BronzeCopy, b: BronzeCopy): boolean => {
  const ra = Date.parse(a.received_at);
  const rb = Date.parse(b.received_at);
  return ra < rb || (ra === rb && a.object < b.object);
};

/** Each id's winning copy, and how many copies it had. */
export function winners(copies: readonly BronzeCopy[]): Map<string, { winner: BronzeCopy; copies: number }> {
  const byId = new Map<string, { winner: BronzeCopy; copies: number }>();
  for (const copy of copies) {
    const seen = byId.get(copy.id);
    if (!seen) byId.set(copy.id, { winner: copy, copies: 1 });
    else {
      seen.copies++;
      if (wins(copy, seen.winner)) seen.winner = copy;
    }
  }
  return byId;
}

/** The mart's rows: the winners of signed-in users, counted per (UTC date of their ts, user). */
export function expectedMart(won: Iterable<{ winner: BronzeCopy }>): Map<string, number> {
  const mart = new Map<string, number>();
  for (const { winner } of won) {
    if (winner.username === null) continue;
    const key = martKey(utcDay(new Date(winner.ts)), winner.username);
    mart.set(key, (mart.get(key) ?? 0) + 1);
  }
  return mart;
}
