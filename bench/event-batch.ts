import { uuidv7 } from "@growit/contract";

/** Events per request, as the SDK batches them. */
export const BATCH = 20;

/** The kinds of event learners send, with valid props. */
export const EVENT_KINDS = [
  { type: "page_view", props: { path: "/category/data" } },
  { type: "search_query", props: { query: "pandas tutorial", category: "data" } },
  { type: "category_recommendation", props: { category: "ai" } },
  { type: "video_open", props: { category: "ai", video_id: "v002", title: "Intro to ai" } },
  { type: "course_open", props: { category: "cloud", course_id: "cloud-101" } },
] as const;

/** A `POST /api/events` body of BATCH valid client events of the kinds learners send, with new ids. */
export function eventBatch(now = Date.now()): { ids: string[]; body: string } {
  const ts = new Date(now).toISOString();
  const events = Array.from({ length: BATCH }, (_, i) => ({
    id: uuidv7(now),
    ts,
    ...EVENT_KINDS[i % EVENT_KINDS.length],
  }));
  return { ids: events.map((e) => e.id), body: JSON.stringify({ events, sent_at: ts }) };
}
