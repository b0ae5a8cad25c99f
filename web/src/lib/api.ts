/** The worker's JSON API, as the SPA sees it. */

export interface Category {
  id: string;
  name: string;
  description: string;
  icon: string;
  accent: string;
}

export type Level = "beginner" | "intermediate" | "advanced";

export interface Course {
  id: string;
  category_id: string;
  title: string;
  provider: string;
  duration: string;
  level: Level;
  url: string;
}

export interface Video {
  id: string;
  category_id: string;
  title: string;
  channel: string;
  url: string;
}

export interface Account {
  username: string;
  full_name: string;
  interests: string[];
  role: "learner" | "analyst";
  created_at: string;
}

export interface SearchHit {
  kind: "course" | "video";
  id: string;
  title: string;
  source: string;
  category_id: string;
  category_name: string;
  level: Level | null;
  duration: string | null;
  url: string;
}

export interface SearchPage {
  query: string;
  page: number;
  limit: number;
  total: number;
  results: SearchHit[];
}

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
};
