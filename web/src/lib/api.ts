import {
  type Account,
  ATTRIBUTION_HEADERS,
  type Attribution,
  type Category,
  type Manifest,
  type PipelineStatus,
  type Recommendations,
  type SearchPage,
  type Video,
} from "@growit/contract";
import { attribution } from "./events/index.ts";
import { savedAt } from "./offline/saved-at.ts";

// The worker's JSON API, as the SPA sees it; the shapes are the contract's.

/** A failed API call: `status` 0 means the API could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A read's answer; `savedAt` says when the service worker saved it, if it came from that copy rather than the network. */
export interface Fetched<T> {
  data: T;
  savedAt: Date | undefined;
}

async function request(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ payload: unknown; response: Response }> {
  // The worker records some calls as its own events (a search, a login): they carry this browser's ids.
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(attribution()) as [keyof Attribution, string][]) {
    headers[ATTRIBUTION_HEADERS[key]] = value;
  }
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network");
  }
  const payload = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(response.status, payload.error ?? `HTTP ${response.status}`);
  return { payload, response };
}

async function get<T>(path: string): Promise<Fetched<T>> {
  const { payload, response } = await request("GET", path);
  return { data: payload as T, savedAt: savedAt(response.headers) };
}

async function send<T>(method: "POST" | "PATCH", path: string, body?: unknown): Promise<T> {
  return (await request(method, path, body)).payload as T;
}

export const api = {
  categories: () => get<{ categories: Category[] }>("/api/categories"),
  recommendations: (category: string) =>
    get<Recommendations>(`/api/recommendations?category=${encodeURIComponent(category)}`),
  videos: (category: string) =>
    get<{ category: { id: string; name: string }; videos: Video[] }>(
      `/api/videos?category=${encodeURIComponent(category)}`,
    ),
  search: (q: string, page = 1, limit = 20) =>
    get<SearchPage>(`/api/search?q=${encodeURIComponent(q)}&page=${page}&limit=${limit}`),
  me: () => get<Account>("/api/me"),
  updateMe: (patch: { full_name?: string; interests?: string[] }) => send<Account>("PATCH", "/api/me", patch),
  signup: (form: { username: string; password: string; full_name: string; interests: string[] }) =>
    send<Account>("POST", "/api/auth/signup", form),
  login: (form: { username: string; password: string }) => send<Account>("POST", "/api/auth/login", form),
  logout: () => send<{ ok: true }>("POST", "/api/auth/logout"),
  status: () => get<PipelineStatus>("/api/status"),
  manifest: () => get<Manifest>("/api/exports/manifest"),
};
