// A generated bronze data set over several days, relative to today (the seed's queries use
// CURRENT_DATE), with what the ETL must make of it: duplicates within and across objects and
// days, late events, anonymous events, malformed lines and invalid events.
import { bronzeObjectKey, DAY_MS, dayStart, type EventEnvelope, utcDay, uuidv7 } from "@growit/contract";

export const USERS = ["minji", "jisoo", "hana", "tae", "yuna", "sora"] as const;

export interface Dataset {
  /** Bronze objects to upload: key -> JSONL body. */
  objects: Map<string, string>;
  /** The copy of each id that must survive, by id. */
  winners: Map<string, EventEnvelope>;
  /** Per bronze object: the 1-based numbers of the lines that must be rejected. */
  rejects: Map<string, number[]>;
  /** The event_dates that have events. */
  eventDays: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function propsFor(n: number): Pick<EventEnvelope, "type" | "props"> {
  switch (n % 3) {
    case 0:
      return { type: "page_view", props: { path: `/category/data?n=${n}` } };
    case 1:
      return { type: "search_query", props: { query: `pandas ${n}`, category: "data" } };
    default:
      return { type: "video_open", props: { category: "ai", video_id: `v${n}` } };
  }
}

export function buildDataset(now = Date.now()): Dataset {
  const today = dayStart(utcDay(new Date(now)));
  const objects = new Map<string, string[]>();
  const winners = new Map<string, EventEnvelope>();
  const rejects = new Map<string, number[]>();
  let serial = 0;

  const put = (key: string, line: string, rejected = false) => {
    const lines = [...(objects.get(key) ?? []), line];
    objects.set(key, lines);
    if (rejected) rejects.set(key, [...(rejects.get(key) ?? []), lines.length]);
  };
  const event = (tsMs: number, username: string | null, receivedMs = tsMs + 500): EventEnvelope => {
    const n = serial++;
    return { id: uuidv7(tsMs), ...propsFor(n), ts: iso(tsMs), username, received_at: iso(receivedMs), source: "web" };
  };
  const keep = (key: string, e: EventEnvelope) => {
    put(key, JSON.stringify(e));
    winners.set(e.id, e);
  };

  // The first day is beyond the horizon: only a rebuild of it (`run --date`) reads it.
  const dayOffsets = [40, 10, 3, 2, 1];
  for (const [dayIndex, offset] of dayOffsets.entries()) {
    const start = today - offset * DAY_MS;
    const keyA = bronzeObjectKey(new Date(start + 8 * 3600_000), `a${dayIndex}`);
    const keyB = bronzeObjectKey(new Date(start + 20 * 3600_000), `b${dayIndex}`);
    const at = (i: number) => start + 9 * 3600_000 + i * 1000;
    let i = 0;
    for (const [u, username] of USERS.entries()) {
      const perDay = (USERS.length - u) * 2 + dayIndex;
      for (let k = 0; k < perDay; k++, i++) keep(i % 2 ? keyB : keyA, event(at(i), username));
    }
    for (let k = 0; k < 3; k++, i++) keep(keyA, event(at(i), null));

    // Duplicates: the same line twice in one object; a later copy elsewhere; an earlier copy
    // elsewhere (it wins); a copy with the same received_at in a later-named object (loses).
    const twice = event(at(i++), "minji");
    keep(keyA, twice);
    put(keyA, JSON.stringify(twice));
    const later = event(at(i++), "jisoo");
    keep(keyA, later);
    put(keyB, JSON.stringify({ ...later, received_at: iso(Date.parse(later.received_at) + 60_000) }));
    const earlier = event(at(i++), "tae");
    put(keyA, JSON.stringify(earlier));
    const earliest = { ...earlier, received_at: iso(Date.parse(earlier.ts) + 100) };
    put(keyB, JSON.stringify(earliest));
    winners.set(earlier.id, earliest);
    const tie = event(at(i++), "yuna");
    keep(keyA, tie);
    put(keyB, JSON.stringify({ ...tie, type: "page_view", props: { path: "/copy" } }));

    // Just before midnight, received once that day and again (a retry) the next day.
    const midnight = event(start + DAY_MS - 1000, "hana");
    keep(keyB, midnight);
    const nextDayKey = bronzeObjectKey(new Date(start + DAY_MS + 10_000), `n${dayIndex}`);
    put(nextDayKey, JSON.stringify({ ...midnight, received_at: iso(start + DAY_MS + 10_000) }));

    // A late event: happened the day before, received after midnight, so in this day's bronze.
    const lateKey = bronzeObjectKey(new Date(start + 20 * 60_000), `l${dayIndex}`);
    keep(lateKey, event(start - 30 * 60_000, "sora", start + 20 * 60_000));

    // Very late: happened three days before it was received, kept in the bronze of its arrival.
    keep(keyB, event(start - 3 * DAY_MS + 3600_000, "yuna", start + 21 * 3600_000));

    // Lines the contract refuses.
    put(keyA, "{not json", true);
    put(keyA, JSON.stringify({ ...event(at(i++), "minji"), id: "not-a-uuid" }), true);
    put(keyB, JSON.stringify({ ...event(at(i++), "minji"), type: "purchase" }), true);
    put(keyB, JSON.stringify({ ...event(at(i++), "minji"), type: "login", props: {} }), true);
    put(keyB, JSON.stringify({ ...event(at(i++), "minji"), ts: iso(start - 31 * DAY_MS) }), true);
  }

  const eventDays = [...new Set([...winners.values()].map((e) => e.ts.slice(0, 10)))].sort();
  return {
    objects: new Map([...objects].map(([key, body]) => [key, `${body.join("\n")}\n`])),
    winners,
    rejects,
    eventDays,
  };
}

/** mart.daily_events as it must be: events per (day, signed-in user). */
export function expectedMart(dataset: Dataset): Array<{ event_date: string; user_id: string; cnt: number }> {
  const counts = new Map<string, number>();
  for (const e of dataset.winners.values()) {
    if (e.username === null) continue;
    const key = `${e.ts.slice(0, 10)} ${e.username}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, cnt]) => {
      const [event_date, user_id] = key.split(" ") as [string, string];
      return { event_date, user_id, cnt };
    })
    .sort((a, b) => (a.event_date + a.user_id < b.event_date + b.user_id ? -1 : 1));
}
