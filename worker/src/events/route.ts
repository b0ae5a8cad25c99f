import { acceptClientEvent, type EventEnvelope, LIMITS, type RejectRecord, rejectRecord } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import { bronzeWriterFor } from "../bronze/writer.ts";
import { retryLater } from "../http/errors.ts";
import { readJsonBody } from "../http/json-body.ts";

function eventsOf(body: unknown): unknown[] {
  const events =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as { events?: unknown }).events
      : undefined;
  if (!Array.isArray(events))
    throw new HTTPException(400, { message: 'body must be a JSON object with an "events" array' });
  if (events.length === 0) throw new HTTPException(400, { message: "events is empty" });
  if (events.length > LIMITS.maxEventsPerBatch) {
    throw new HTTPException(413, {
      message: `events holds ${events.length} events, more than ${LIMITS.maxEventsPerBatch}`,
    });
  }
  return events;
}

export const eventsRoute = new Hono<AppEnv>()
  .post("/", async (c) => {
    const raws = eventsOf(await readJsonBody(c.req.raw, LIMITS.maxBodyBytes));
    const receivedAt = new Date();
    const stamp = { receivedAt, username: c.get("user")?.username ?? null, source: "web" } as const;
    const accepted: EventEnvelope[] = [];
    const rejects: RejectRecord[] = [];
    raws.forEach((raw, index) => {
      const verdict = acceptClientEvent(raw, stamp);
      if (verdict.ok) accepted.push(verdict.event);
      else {
        const rejectedAt = stamp.receivedAt.toISOString();
        rejects.push(rejectRecord({ reason: verdict.reason, rejected_at: rejectedAt, stage: "worker", index }, raw));
      }
    });
    try {
      await bronzeWriterFor(c.env).write(accepted, rejects, receivedAt);
    } catch (error) {
      console.error(`POST /api/events: storing ${accepted.length} events failed:`, (error as Error).message);
      return retryLater(c, "event storage is unavailable; nothing was stored, send the batch again");
    }
    return c.json(
      { accepted: accepted.length, rejected: rejects.map(({ index, reason }) => ({ index, reason })) },
      202,
    );
  })
  .all("/", (c) =>
    c.json({ error: `method ${c.req.method} is not allowed on /api/events; use POST` }, 405, { Allow: "POST" }),
  );
