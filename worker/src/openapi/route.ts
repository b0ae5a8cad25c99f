import { Hono } from "hono";
import type { Schema } from "hono/types";
import { describeRoute, loadVendor, openAPIRouteHandler } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";

type ToJsonSchema = NonNullable<Parameters<typeof loadVendor>[1]["toJSONSchema"]>;
// hono-openapi turns zod schemas into JSON Schema with the zod it finds from its own folder, which
// may be another version than the worker's (one that loses ids, formats and descriptions); this
// gives it the worker's. zod types the result as draft 2020-12, hono-openapi as draft 7.
const toJsonSchema: ToJsonSchema = (schema, options) =>
  z.toJSONSchema(schema as z.ZodType, options) as Awaited<ReturnType<ToJsonSchema>>;
loadVendor("zod", { toJSONSchema: toJsonSchema });

const DESCRIPTION = `GrowIt's API: the SPA's catalog and accounts, event ingestion, and the analysts' status and exports.

Errors are \`{"error": "..."}\`. Any route may also answer 503 \`{"error", "retryable": true, "retry_after"}\` with
\`Retry-After\` while Postgres or S3 is unavailable, and 500 on an unexpected error. State-changing requests from
another origin are refused (403). The session is an HttpOnly cookie that sign-up and login set.`;

/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document of `api`, generated from its routes' zod
 * schemas (their validators and describeRoute) when first asked for.
 */
export const openApiRoute = (api: Hono<AppEnv, Schema, string>) =>
  new Hono<AppEnv>().get(
    "/",
    describeRoute({
      summary: "This document",
      tags: ["operations"],
      responses: { 200: { description: "the OpenAPI 3.1 document", content: { "application/json": {} } } },
    }),
    openAPIRouteHandler(api, {
      documentation: { info: { title: "GrowIt API", version: "1.0.0", description: DESCRIPTION } },
      // The document lives at a path that looks like a file's.
      excludeStaticFile: false,
      // The validators' 400 is `{ error }`, which each route describes itself.
      defaultValidationErrorResponse: false,
    }),
  );
