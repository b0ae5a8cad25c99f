// A small, known event history for the dashboard test: bronze objects written straight into
// the local S3 (as the worker would store them), for several users over several recent days.
import { bronzeObjectKey, type S3, uuidv7 } from "@growit/contract";

export const DATA_DAYS = 6;
const CATEGORIES = ["data", "ai", "cloud", "design"] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Envelope {
  id: string;
  type: string;
  ts: string;
  username: string | null;
  props: Record<string, unknown>;
  received_at: string;
  source: "web";
}

export const utcDay = (offset: number): string => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

/** The i-th event of a user: page views, category recommendations and video opens in turn. */
function event(username: string | null, at: Date, i: number, category: string): Envelope {
  const kinds = [
    { type: "page_view", props: { path: "/" } },
    { type: "category_recommendation", props: { category } },
    { type: "video_open", props: { category, video_id: `${category}-v1` } },
  ];
  const kind = kinds[i % kinds.length] ?? kinds[0];
  const ts = new Date(at.getTime() + i * 1_000).toISOString();
  return { id: uuidv7(), ...kind, ts, username, received_at: ts, source: "web" } as Envelope;
}

/**
 * Days 1..DATA_DAYS ago: user k (1..6) sends 3k + day events that day, in the categories
 * k mod 4 and k+1 mod 4, so that every user's totals differ (no ties in the top 5); an
 * anonymous visitor adds events that silver keeps and the mart does not count.
 */
export function generateEvents(): Envelope[] {
  const events: Envelope[] = [];
  for (let ago = 1; ago <= DATA_DAYS; ago++) {
    const noon = new Date(`${utcDay(-ago)}T12:00:00.000Z`);
    for (let k = 1; k <= 6; k++) {
      const categories = [CATEGORIES[k % 4], CATEGORIES[(k + 1) % 4]] as string[];
      for (let i = 0; i < 3 * k + ago; i++) {
        events.push(event(`dash${k}`, new Date(noon.getTime() + k * 60_000), i, categories[i % 2] ?? "data"));
      }
    }
    for (let i = 0; i < 4; i++) events.push(event(null, noon, i, "ai"));
  }
  return events;
}

/** Stores the events as bronze objects, one per user and day, at keys the worker would use. */
export async function writeBronze(bucket: S3, events: Envelope[]): Promise<void> {
  const objects = new Map<string, Envelope[]>();
  for (const e of events) {
    const group = `${e.received_at.slice(0, 10)}/${e.username ?? "anonymous"}`;
    objects.set(group, [...(objects.get(group) ?? []), e]);
  }
  for (const group of objects.values()) {
    const first = group[0];
    if (!first) continue;
    const key = bronzeObjectKey(new Date(first.received_at), uuidv7());
    await bucket.put(key, `${group.map((e) => JSON.stringify(e)).join("\n")}\n`, "application/x-ndjson");
  }
}

/** A day's users and the sorted categories of their events, as the dashboard's third view should show them. */
export function expectedCategories(events: Envelope[], day: string): Map<string, string> {
  const byUser = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.username || e.ts.slice(0, 10) !== day) continue;
    const set = byUser.get(e.username) ?? new Set<string>();
    if (typeof e.props.category === "string") set.add(e.props.category);
    byUser.set(e.username, set);
  }
  return new Map([...byUser].map(([user, set]) => [user, [...set].sort().join(", ")]));
}
