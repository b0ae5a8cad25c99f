import type { ClientEvent, ClientEventType, EventProps } from "@growit/contract";
import { LIMITS, uuidv7 } from "@growit/contract";

const utf8 = new TextEncoder();

export type MadeEvent = { ok: true; event: ClientEvent } | { ok: false; problem: string };

/**
 * Builds the event a client sends: a UUIDv7 id (so ids sort by creation and a resent event is
 * recognisable) and the client's clock as `ts`. Props the server would certainly reject for size
 * are refused here, so one oversized event can never block a queue or a beacon.
 */
export function makeEvent<T extends ClientEventType>(type: T, props: EventProps<T>, now: number): MadeEvent {
  let json: string | undefined;
  try {
    json = JSON.stringify(props);
  } catch (error) {
    return { ok: false, problem: `props cannot be serialized: ${(error as Error).message}` };
  }
  if (json === undefined) return { ok: false, problem: "props must be a JSON object" };
  const bytes = utf8.encode(json).length;
  if (bytes > LIMITS.maxPropsBytes) {
    return { ok: false, problem: `props are ${bytes} bytes, more than ${LIMITS.maxPropsBytes}` };
  }
  // A JSON round trip stores what will be sent, not a live object the caller may still mutate.
  const event: ClientEvent<T> = { id: uuidv7(now), type, ts: new Date(now).toISOString(), props: JSON.parse(json) };
  return { ok: true, event: event as ClientEvent };
}
