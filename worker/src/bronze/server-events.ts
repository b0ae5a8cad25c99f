import { type EventProps, type EventType, serverEvent } from "@growit/contract";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { attributionOf } from "../http/attribution.ts";
import { logError, requestFields } from "../log.ts";
import { bronzeWriterFor } from "./writer.ts";

/**
 * Stores an event the worker itself emits (source "server") for the request `c` answers, with
 * the caller's attribution ids, through the same durable writer as client events, and waits
 * until it is stored. If S3 is down the user's action still succeeds: the event is logged whole
 * so that it can be recovered.
 */
export async function recordServerEvent<T extends EventType>(
  c: Context<AppEnv>,
  type: T,
  props: EventProps<T>,
  username: string | null,
): Promise<void> {
  const event = serverEvent(type, { ...attributionOf(c.req), ...props }, username);
  try {
    await bronzeWriterFor(c.env).write([event], [], new Date(event.received_at));
  } catch (error) {
    logError("server event not stored", error, { ...requestFields(c), event });
  }
}
