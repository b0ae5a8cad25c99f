import { HTTPException } from "hono/http-exception";

const fail = (status: 400 | 413 | 415, message: string): never => {
  throw new HTTPException(status, { message });
};

function checkContentType(header: string | undefined): void {
  const [mediaType = "", ...params] = (header ?? "").split(";").map((s) => s.trim().toLowerCase());
  if (mediaType !== "application/json")
    fail(415, `content-type must be application/json, not ${header ? `"${header}"` : "missing"}`);
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replaceAll('"', "");
  if (charset && charset !== "utf-8" && charset !== "utf8") fail(415, `charset must be utf-8, not ${charset}`);
}

async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) fail(413, `body is ${declared} bytes, more than ${maxBytes}`);
  if (!request.body) return new Uint8Array();
  // A declared length frames the body: the runtime reads it whole, far cheaper than a read loop
  // in JavaScript. The size is checked again, in case a request made in code declared less.
  if (declared !== null && /^\d+$/.test(declared)) {
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.byteLength > maxBytes) fail(413, `body is more than ${maxBytes} bytes`);
    return body;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      fail(413, `body is more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Reads a JSON request body strictly: JSON content type, at most `maxBytes`, valid
 * UTF-8, valid JSON. Every failure is an HTTPException with a 4xx status naming the problem.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  checkContentType(request.headers.get("content-type") ?? undefined);
  const bytes = await readCapped(request, maxBytes);
  if (bytes.byteLength === 0) fail(400, "body is empty");
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    fail(400, "body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(400, `body is not valid JSON: ${(error as Error).message}`);
  }
}
