import { ApiError } from "./api.ts";

/** One API read with its loading and error states, and a way to try again. */
export class Resource<T> {
  data = $state<T | undefined>(undefined);
  loading = $state(true);
  /** "offline" when the API could not be reached, the server's message otherwise. */
  error = $state<{ status: number; message: string } | undefined>(undefined);

  constructor(private readonly load: () => Promise<T>) {}

  async reload(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    try {
      this.data = await this.load();
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
export function resource<T>(load: () => Promise<T>): Resource<T> {
  const r = new Resource(load);
  void r.reload();
  return r;
}
