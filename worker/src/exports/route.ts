import { EXPORT_KEYS, Manifest, PREFIX, S3 } from "@growit/contract";
import { type Context, Hono, type TypedResponse } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute } from "hono-openapi";
import type { AppEnv } from "../app-env.ts";
import { requireRole } from "../auth/session.ts";
import { retryLater } from "../http/errors.ts";
import { analystsOnly, json, later, refused } from "../http/responses.ts";
import { logError, requestFields } from "../log.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";

const READABLE_PREFIXES = [PREFIX.exports, PREFIX.silver];
const SAFE_KEY = /^[A-Za-z0-9_=.\-/]+$/;
const CONTENT_TYPES: Record<string, string> = {
  parquet: "application/vnd.apache.parquet",
  json: "application/json; charset=utf-8",
};
/** Headers passed from S3 to the browser, so that DuckDB's range reads and revalidation work. */
const PASSED_HEADERS = ["content-length", "content-range", "etag", "last-modified"];

/** The object key a request names, if the dashboard may read it: exports/ and silver/ only, no traversal. */
export function readableKey(path: string): string | null {
  let key: string;
  try {
    key = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (!SAFE_KEY.test(key) || key.endsWith("/")) return null;
  if (key.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) return null;
  return READABLE_PREFIXES.some((prefix) => key.startsWith(prefix)) ? key : null;
}

const unavailable = later("export storage is unavailable");
const manifestDoc = describeRoute({
  summary: "The manifest of the ETL's exports",
  tags: ["analysts"],
  responses: {
    200: json("exports/manifest.json, as the ETL wrote it", Manifest),
    304: { description: "not modified since the ETag of If-None-Match" },
    ...analystsOnly,
    404: refused("the ETL has written no manifest yet"),
    503: unavailable,
  },
});
const exportDoc = describeRoute({
  summary: "One export or silver file, with Range, ETag and If-None-Match",
  tags: ["analysts"],
  parameters: [
    {
      in: "path",
      name: "key",
      required: true,
      description: "its key, under exports/ or silver/",
      schema: { type: "string" },
    },
  ],
  responses: {
    200: { description: "the file: Parquet, or JSON" },
    206: { description: "the range asked for" },
    304: { description: "not modified since the ETag of If-None-Match" },
    ...analystsOnly,
    404: refused("no such file, or a key outside exports/ and silver/"),
    416: refused("the range is outside the file"),
    503: unavailable,
  },
});

/** The manifest passes through as the ETL stored it: its body is the contract's Manifest. */
type ManifestResponse = Response & TypedResponse<Manifest, 200, "json">;

/** Streams `key` from S3 with Range (206), ETag and If-None-Match (304). */
async function streamExport(c: Context<AppEnv>, key: string): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const name of ["range", "if-none-match", "if-match"]) {
    const value = c.req.header(name);
    if (value) headers[name] = value;
  }
  let upstream: Response;
  try {
    upstream = await new S3(s3ConfigFromEnv(c.env)).send(key, { headers });
  } catch (error) {
    logError("export storage failed", error, { ...requestFields(c), key });
    return retryLater(c, "export storage is unavailable; try again shortly");
  }
  if (upstream.status === 404) {
    await upstream.body?.cancel();
    throw new HTTPException(404, { message: `no export ${key} yet: has the ETL run?` });
  }
  if (upstream.status === 416) {
    await upstream.body?.cancel();
    throw new HTTPException(416, { message: `range ${headers.range} is outside ${key}` });
  }
  if (![200, 206, 304].includes(upstream.status)) {
    await upstream.body?.cancel();
    logError("export storage failed", `S3 answered HTTP ${upstream.status}`, {
      ...requestFields(c),
      key,
      status: upstream.status,
    });
    return retryLater(c, "export storage is unavailable; try again shortly");
  }
  const response = new Headers({
    "accept-ranges": "bytes",
    "content-type": CONTENT_TYPES[key.split(".").pop() ?? ""] ?? "application/octet-stream",
    // Analysts' data: the browser may keep it, but must revalidate it (cheap, with the ETag).
    "cache-control": "private, no-cache",
  });
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) response.set(name, value);
  }
  return new Response(upstream.status === 304 ? null : upstream.body, { status: upstream.status, headers: response });
}

/**
 * `GET /api/exports/manifest` and `GET /api/exports/<key>` (analysts): the mart's Parquet
 * exports and silver partitions, streamed from S3.
 */
export const exportsRoute = new Hono<AppEnv>()
  .get(
    "/manifest",
    manifestDoc,
    requireRole("analyst"),
    async (c) => (await streamExport(c, EXPORT_KEYS.manifest)) as ManifestResponse,
  )
  .get("/:key{.+}", exportDoc, requireRole("analyst"), (c) => {
    const rest = new URL(c.req.url).pathname.replace(/^\/api\/exports\/?/, "");
    const key = readableKey(rest);
    if (!key)
      throw new HTTPException(404, { message: `no export ${rest}: only keys under exports/ and silver/ are served` });
    return streamExport(c, key);
  });
