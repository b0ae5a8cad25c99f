import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { readJsonBody } from "./json-body.ts";

/** JSON bodies of the account routes are small; this bounds the work a request can cause. */
const MAX_FORM_BYTES = 16 * 1024;

/** The first problem zod found, as "field: message". */
export function describeIssue(error: z.ZodError, prefix?: string): string {
  const issue = error.issues[0];
  const path = [...(prefix ? [prefix] : []), ...(issue?.path ?? [])].join(".");
  return path ? `${path}: ${issue?.message}` : (issue?.message ?? "invalid");
}

/** Reads a JSON body and checks it against `schema`; a mismatch is a 400 naming the field. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const result = schema.safeParse(await readJsonBody(request, MAX_FORM_BYTES));
  if (!result.success) throw new HTTPException(400, { message: describeIssue(result.error) });
  return result.data;
}

/** Checks query parameters against `schema`; a mismatch is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(query: Record<string, string>, schema: S): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw new HTTPException(400, { message: describeIssue(result.error) });
  return result.data;
}
