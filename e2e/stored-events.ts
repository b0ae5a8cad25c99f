// The events the local stack's worker stored in the bucket's bronze, as the browser tests read them.
import { S3 as S3Client } from "@growit/contract";
import { S3 } from "../stack/src/local.ts";

const bucket = new S3Client({ ...S3 });

export type StoredEvent = {
  id: string;
  type: string;
  username: string | null;
  props: Record<string, unknown>;
  source: string;
};

export async function storedEvents(): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const key of await bucket.list("bronze/app/")) {
    const text = await bucket.getText(key);
    for (const line of text.trimEnd().split("\n")) events.push(JSON.parse(line));
  }
  return events;
}

/** Waits until `check` passes on the stored events, or fails with its last complaint. */
export async function eventually(check: (events: StoredEvent[]) => void, timeoutMs = 10_000): Promise<StoredEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await storedEvents();
    try {
      check(events);
      return events;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
