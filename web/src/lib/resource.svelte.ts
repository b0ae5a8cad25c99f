import { ApiError, type Fetched } from "./api.ts";

/** Why a load failed: the API's HTTP status, or 0 when the API could not be reached or the failure was not its answer. */
export interface LoadError {
  status: number;
  message: string;
}

const loadError = (error: unknown): LoadError =>
  error instanceof ApiError
    ? { status: error.status, message: error.message }
    : { status: 0, message: error instanceof Error ? error.message : String(error) };

/**
 * A value loaded asynchronously (an API read, a dashboard query), with its loading and error
 * states and a way to load it again. Only the latest load counts: an answer that arrives after a
 * later load began is dropped, so a value whose inputs changed never shows the old inputs' answer.
 */
export class Resource<T> {
  data = $state<T | undefined>(undefined);
  /** When the service worker saved `data`, if `data` is that saved copy rather than the network's answer. */
  savedAt = $state<Date | undefined>(undefined);
  loading = $state(true);
  error = $state<LoadError | undefined>(undefined);
  #latest = 0;

  constructor(private readonly load: () => Promise<Fetched<T>>) {}

  /** Resolves to whether this load's answer was kept: it succeeded, and no later load began meanwhile. */
  async reload(): Promise<boolean> {
    const ticket = ++this.#latest;
    this.loading = true;
    this.error = undefined;
    try {
      const answer = await this.load();
      if (ticket !== this.#latest) return false;
      this.data = answer.data;
      this.savedAt = answer.savedAt;
      return true;
    } catch (error) {
      if (ticket === this.#latest) this.error = loadError(error);
      return false;
    } finally {
      if (ticket === this.#latest) this.loading = false;
    }
  }
}

/** Creates a resource and starts loading it. */
export function resource<T>(load: () => Promise<Fetched<T>>): Resource<T> {
  const r = new Resource(load);
  void r.reload();
  return r;
}
