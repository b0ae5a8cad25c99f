import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { ValidationTargets } from "hono/types";
import type { InferInput } from "hono/validator";
import { resolver, uniqueSymbol } from "hono-openapi";
import type { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { readJsonBody } from "./json-body.ts";

/** JSON bodies of the account routes are small; this bounds the work a request can cause. */
const MAX_FORM_BYTES = 16 * 1024;

/** The first problem zod found, as "field: message". */
export function describeIssue(error: z.ZodError, prefix?: string): string {
  const issue = error.issues[0];
  const path = [...(prefix ? [prefix] : []), ...(issue?.path ?? [])].join(".");
  return path ? `${path}: ${issue?.message}` : (issue?.message ?? "invalid");
}

/**
 * A middleware that checks one part of the request against `schema` (a mismatch is a 400 naming
 * the field) and hands the result to `c.req.valid(target)`. Its types tell hono/client what to
 * send, and it carries `schema` for the OpenAPI document as hono-openapi's own validator does;
 * that one reads bodies with Hono's, which caps no size and takes any charset.
 */
function validated<T extends "json" | "query", S extends z.ZodType>(
  target: T,
  schema: S,
  read: (c: Context<AppEnv>) => unknown,
) {
  type Types = {
    in: { [K in T]: K extends "json" ? z.input<S> : InferInput<z.input<S>, K> };
    out: { [K in T]: z.output<S> };
  };
  const middleware = createMiddleware<AppEnv, string, Types>(async (c, next) => {
    const result = schema.safeParse(await read(c));
    if (!result.success) throw new HTTPException(400, { message: describeIssue(result.error) });
    c.req.addValidatedData(target, result.data as ValidationTargets[T]);
    await next();
  });
  return Object.assign(middleware, { [uniqueSymbol]: { target, ...resolver(schema) } });
}

/** A JSON body read strictly (readJsonBody) and checked against `schema`. */
export const jsonBody = <S extends z.ZodType>(schema: S) =>
  validated("json", schema, (c) => readJsonBody(c.req.raw, MAX_FORM_BYTES));

/** Query parameters (the first value of each) checked against `schema`. */
export const query = <S extends z.ZodType>(schema: S) => validated("query", schema, (c) => c.req.query());
