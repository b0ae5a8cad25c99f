import { ApiFailure, RetryLater } from "@growit/contract";
import { resolver } from "hono-openapi";
import type { z } from "zod";

/** An answer of the OpenAPI document (describeRoute's `responses`) whose JSON body is `schema`. */
export const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { "application/json": { schema: resolver(schema, { options: { io: "output" } }) } },
});

/** A refusal: `{ error }` naming the problem. */
export const refused = (description: string) => json(description, ApiFailure);

/** A 429 or 503 to wait out: `{ error, retryable, retry_after }`, and `Retry-After` saying the same. */
export const later = (description: string) => ({
  ...json(description, RetryLater),
  headers: { "Retry-After": { description: "seconds to wait", schema: { type: "integer" as const } } },
});

/** What a route behind requireRole("analyst") may refuse. */
export const analystsOnly = { 401: refused("no live session"), 403: refused("analysts only") };
