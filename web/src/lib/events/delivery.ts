import type { StorageLike } from "./env.ts";

/**
 * Whether requests to the server go through, as the SDK last saw it from any tab of the origin.
 * A beacon's fate is never known, so the SDK trusts one only while they do: navigator.onLine
 * comes back true on a network that passes nothing, and says nothing of a server answering 5xx
 * or asking to slow down (429). Kept in localStorage so that the next page knows too.
 */
export class DeliveryRecord {
  readonly #storage: StorageLike;
  readonly #key: string;

  constructor(storage: StorageLike, key: string) {
    this.#storage = storage;
    this.#key = key;
  }

  /** True from a failed request, or the browser saying it is offline, until a request goes through. */
  failing(): boolean {
    return this.#storage.getItem(this.#key) !== null;
  }

  /** A request failed (no answer, 429, 5xx), or the browser went offline. */
  failed(): void {
    if (!this.failing()) this.#write(() => this.#storage.setItem(this.#key, "failing"));
  }

  /** The server answered a request other than with "try again". */
  wentThrough(): void {
    if (this.failing()) this.#write(() => this.#storage.removeItem(this.#key));
  }

  #write(change: () => void): void {
    try {
      change();
    } catch {
      // Full storage: the record stays as it was; the queue warns of the same fault.
    }
  }
}
