import {
  acceptClientEvent,
  EVENT_TYPES,
  type EventEnvelope,
  isPlainObject,
  LIMITS,
  parseIsoTimestamp,
  RejectBudget,
  type RejectRecord,
  type Stamp,
} from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute, resolver } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { bronzeWriterFor } from "../bronze/writer.ts";
import { retryLater } from "../http/errors.ts";
import { readJsonBody } from "../http/json-body.ts";
import { writeLimit } from "../http/rate-limit.ts";
import { json, later, refused } from "../http/responses.ts";
import { logError, requestFields } from "../log.ts";

const timestamp = z.iso.datetime({ offset: true });
const Event = z.object({
  id: z.uuid(),
  type: z.enum(EVENT_TYPES),
  ts: timestamp,
  props: z.record(z.string(), z.unknown()),
});
/** A request body as the OpenAPI document shows it; the route checks each event itself, to answer per event. */
const Batch = z.object({
  events: z.array(Event).min(1).max(LIMITS.maxEventsPerBatch),
  sent_at: timestamp.optional().describe("the client's clock as it sent the batch"),
});
const Stored = z.object({
  accepted: z.int().describe("how many events were stored"),
  rejected: z.array(z.object({ index: z.int(), reason: z.string() })).describe("the events refused, by index"),
});

const postDoc = describeRoute({
  summary: "Stores a batch of events in bronze",
  tags: ["events"],
  requestBody: { required: true, content: { "application/json": { schema: resolver(Batch) } } },
  responses: {
    202: json("stored: the valid events in bronze, the others under bronze/_rejected/", Stored),
    400: refused("the body is no JSON object with a non-empty events array"),
    413: refused("the body or its events array is too large"),
    415: refused("the body is not UTF-8 JSON"),
    429: later("too many writes from this caller"),
    503: later("storage is unavailable; nothing was stored, send the batch again"),
  },
});

/**
 * The events of a request body, and its `sent_at` in ms when it is a valid timestamp. A missing or
 * invalid `sent_at` only costs the clock correction (old clients send none), so it is not an error.
 */
function batchOf(body: unknown): { events: unknown[]; sentAt: number | null } {
  const batch = isPlainObject(body) ? body : {};
  const { events } = batch;
  if (!Array.isArray(events))
    throw new HTTPException(400, { message: 'body must be a JSON object with an "events" array' });
  if (events.length === 0) throw new HTTPException(400, { message: "events is empty" });
  if (events.length > LIMITS.maxEventsPerBatch) {
    throw new HTTPException(413, {
      message: `events holds ${events.length} events, more than ${LIMITS.maxEventsPerBatch}`,
    });
  }
  return { events, sentAt: parseIsoTimestamp(batch.sent_at) };
}

export const eventsRoute = new Hono<AppEnv>()
  .post("/", postDoc, writeLimit, async (c) => {
    const { events: raws, sentAt } = batchOf(await readJsonBody(c.req.raw, LIMITS.maxBodyBytes));
    const receivedAt = new Date();
    const stamp: Stamp = { receivedAt, username: c.get("user")?.username ?? null, source: "web", sentAt };
    const accepted: EventEnvelope[] = [];
    const rejects: RejectRecord[] = [];
    const budget = new RejectBudget();
    raws.forEach((raw, index) => {
      const verdict = acceptClientEvent(raw, stamp);
      if (verdict.ok) accepted.push(verdict.event);
      else {
        const rejectedAt = stamp.receivedAt.toISOString();
        const sender = stamp.username === null ? {} : { username: stamp.username };
        rejects.push(
          budget.record({ reason: verdict.reason, rejected_at: rejectedAt, stage: "worker", index, ...sender }, raw),
        );
      }
    });
    try {
      await bronzeWriterFor(c.env).write(accepted, rejects, receivedAt);
    } catch (error) {
      logError("storing events failed", error, {
        ...requestFields(c),
        events: accepted.length,
        rejects: rejects.length,
      });
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
