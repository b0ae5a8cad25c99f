import type { Account, Category, Course, Manifest, PipelineStatus, SearchPage, Video } from "@growit/contract";

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

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network");
  }
  const payload = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(response.status, payload.error ?? `HTTP ${response.status}`);
  return payload as T;
}

export const api = {
  categories: () => call<{ categories: Category[] }>("GET", "/api/categories"),
  recommendations: (category: string) =>
    call<{ category: { id: string; name: string }; courses: Course[]; personalized: boolean }>(
      "GET",
      `/api/recommendations?category=${encodeURIComponent(category)}`,
    ),
  videos: (category: string) =>
    call<{ category: { id: string; name: string }; videos: Video[] }>(
      "GET",
      `/api/videos?category=${encodeURIComponent(category)}`,
    ),
  search: (q: string, page = 1, limit = 20) =>
    call<SearchPage>("GET", `/api/search?q=${encodeURIComponent(q)}&page=${page}&limit=${limit}`),
  me: () => call<Account>("GET", "/api/me"),
  updateMe: (patch: { full_name?: string; interests?: string[] }) => call<Account>("PATCH", "/api/me", patch),
  signup: (form: { username: string; password: string; full_name: string; interests: string[] }) =>
    call<Account>("POST", "/api/auth/signup", form),
  login: (form: { username: string; password: string }) => call<Account>("POST", "/api/auth/login", form),
  logout: () => call<{ ok: true }>("POST", "/api/auth/logout"),
  status: () => call<PipelineStatus>("GET", "/api/status"),
  manifest: () => call<Manifest>("GET", "/api/exports/manifest"),
};
