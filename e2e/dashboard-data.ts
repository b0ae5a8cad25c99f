// A small, known event history for the dashboard test: bronze objects written straight into
// the local S3 (as the worker would store them), for several users over several recent days.
import { bronzeObjectKey, type S3, utcDayFromToday, uuidv7 } from "@growit/contract";

export const DATA_DAYS = 6;
const CATEGORIES = ["data", "ai", "cloud", "design"] as const;

export interface Envelope {
  id: string;
  type: string;
  ts: string;
  username: string | null;
  props: Record<string, unknown>;
  received_at: string;
  source: "web" | "server";
}

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

/** An event made by the worker itself, as a recommendation list or a search answered. */
const serverEvent = (username: string, at: Date, type: string, props: Record<string, unknown>): Envelope => {
  const ts = at.toISOString();
  return { id: uuidv7(), type, ts, username, props, received_at: ts, source: "server" };
};

/**
 * What user k does each day with recommendations and search: a list shown in their first
 * category, opened at position k/2 by even users; a search for `q(k mod 3)` finding k mod 3
 * courses (none for k = 3 and 6), whose first result odd users open.
 */
function followUps(k: number, at: Date, category: string): Envelope[] {
  const username = `dash${k}`;
  const recId = crypto.randomUUID();
  const searchId = crypto.randomUUID();
  const results = k % 3;
  const later = (s: number) => new Date(at.getTime() + s * 1_000);
  const web = (type: string, props: Record<string, unknown>, s: number): Envelope => ({
    ...serverEvent(username, later(s), type, props),
    source: "web",
  });
  const made = [
    serverEvent(username, later(0), "recommendation_request", {
      category,
      rec_id: recId,
      course_ids: ["c1", "c2", "c3"],
    }),
    serverEvent(username, later(2), "search_query", { query: `q${results}`, results, search_id: searchId }),
  ];
  if (k % 2 === 0)
    made.push(web("course_open", { category, course_id: `c${k / 2}`, rec_id: recId, position: k / 2 }, 1));
  if (results > 0 && k % 2 === 1) made.push(web("course_open", { category, course_id: "c1", search_id: searchId }, 3));
  return made;
}

/**
 * Days 1..DATA_DAYS ago: user k (1..6) sends 3k + day events that day, in the categories
 * k mod 4 and k+1 mod 4, so that every user's totals differ (no ties in the top 5), and
 * their followUps; an anonymous visitor adds events that silver keeps and the mart does not count.
 */
export function generateEvents(): Envelope[] {
  const events: Envelope[] = [];
  for (let ago = 1; ago <= DATA_DAYS; ago++) {
    const noon = new Date(`${utcDayFromToday(-ago)}T12:00:00.000Z`);
    for (let k = 1; k <= 6; k++) {
      const categories = [CATEGORIES[k % 4], CATEGORIES[(k + 1) % 4]] as string[];
      for (let i = 0; i < 3 * k + ago; i++) {
        events.push(event(`dash${k}`, new Date(noon.getTime() + k * 60_000), i, categories[i % 2] ?? "data"));
      }
      events.push(...followUps(k, new Date(noon.getTime() + 3_600_000 + k * 60_000), categories[0] ?? "data"));
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
