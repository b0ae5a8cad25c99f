import { ApiError, type Fetched } from "./api.ts";

/** One API read with its loading and error states, and a way to try again. */
export class Resource<T> {
  data = $state<T | undefined>(undefined);
  /** When the service worker saved `data`, if `data` is that saved copy rather than the network's answer. */
  savedAt = $state<Date | undefined>(undefined);
  loading = $state(true);
  /** "offline" when the API could not be reached, the server's message otherwise. */
  error = $state<{ status: number; message: string } | undefined>(undefined);

  constructor(private readonly load: () => Promise<Fetched<T>>) {}

  async reload(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    try {
      const answer = await this.load();
      this.data = answer.data;
      this.savedAt = answer.savedAt;
    } catch (error) {
      this.error =
        error instanceof ApiError
          ? { status: error.status, message: error.message }
          : { status: 0, message: String(error) };
    } finally {
      this.loading = false;
    }
  }
}

/** Creates a resource and starts loading it. */
export function resource<T>(load: () => Promise<Fetched<T>>): Resource<T> {
  const r = new Resource(load);
  void r.reload();
  return r;
}
