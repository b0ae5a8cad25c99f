// Through the worker's real entry point (SELF), like a client reading the document would.
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { Browser } from "../../test/fixtures.ts";
import { app } from "../app.ts";

type OpenApiDocument = Exclude<Parameters<typeof validate>[0], string>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** A Hono path as OpenAPI writes it: `:key` and `:key{regex}` become `{key}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");

describe("GET /api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document with every route the app serves", async () => {
    const response = await new Browser().request("/api/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
    // validate() dereferences what it is given, in place.
    const result = await validate(structuredClone(document));
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);

    // Middleware (`use`) and catch-alls (`all`) register as ALL; every other entry is a route.
    const served = new Set(
      app.routes.filter((route) => route.method !== "ALL").map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    expect(served).toContain("GET /api/openapi.json");
    const documented = new Set(
      Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
        METHODS.filter((method) => item?.[method]).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  });
});
