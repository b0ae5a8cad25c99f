import { AwsClient } from "aws4fetch";

export interface S3Config {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Backoff before retry n is baseDelayMs * 3^(n-1), with full jitter. */
  baseDelayMs: number;
  /** Per-attempt time limit. */
  timeoutMs: number;
}

/** Bounded so that a request waiting on S3 answers 503 within about a second and a half. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, timeoutMs: 5_000 };

/** One entry of a listing. */
export interface S3Object {
  key: string;
  size: number;
  etag: string;
  /** When the object was stored, by the store's clock. */
  lastModified: Date;
}

export interface ListOptions {
  /** Keys per ListObjectsV2 call (default 1000, S3's maximum). */
  pageSize?: number;
  /** Only keys after this one (ListObjectsV2 `start-after`). */
  startAfter?: string;
  /** Stop after this many keys. */
  maxKeys?: number;
  /** Only keys before this one: listing stops at the first key that is not. */
  endBefore?: string;
}

/** What one attempt of withRetries got back: its HTTP status, and how to let go of it before a retry. */
export interface S3Answer {
  status: number;
  discard(): Promise<void> | void;
}

/** An S3 request that failed for good; `status` is absent when S3 could not be reached. */
export class S3Error extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "S3Error";
  }
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const unescapeXml = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) =>
    name.startsWith("#x") || name.startsWith("#X")
      ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      : name.startsWith("#")
        ? String.fromCodePoint(Number(name.slice(1)))
        : (XML_ENTITIES[name] ?? entity),
  );

/**
 * The header an upload carries its body's SHA-256 in (base64): S3, R2 and MinIO check the body
 * they received against it and answer 400 BadDigest on a mismatch.
 */
export const CHECKSUM_HEADER = "x-amz-checksum-sha256";

const encoder = new TextEncoder();

/** The value of CHECKSUM_HEADER for `body`. */
async function sha256Checksum(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return btoa(String.fromCharCode(...digest));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retryable = (status: number) => status >= 500 || status === 429 || status === 408;

/**
 * A path-style S3 client, for the worker and for Node alike (works with R2, AWS S3, MinIO and s3rver). aws4fetch's own
 * retries are off: this class retries a bounded number of times so callers know how
 * long a failure takes.
 */
export class S3 {
  readonly #aws: AwsClient;

  constructor(
    readonly config: S3Config,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.#aws = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      region: config.region,
      service: "s3",
      retries: 0,
    });
  }

  url(key = "", query?: URLSearchParams): string {
    const path = key
      .split("/")
      .map((part) => encodeURIComponent(part))
      .join("/");
    const endpoint = this.config.endpoint.replace(/\/+$/, "");
    return `${endpoint}/${this.config.bucket}/${path}${query ? `?${query}` : ""}`;
  }

  /** Sends a request, retrying network errors and 5xx/429; returns the last response, whatever its status. */
  async send(key: string, request: RequestInit | (() => RequestInit) = {}, query?: URLSearchParams): Promise<Response> {
    // A function makes a fresh request per attempt, for bodies that can be read only once (streams).
    const next = typeof request === "function" ? request : () => request;
    const url = this.url(key, query);
    let method = "GET";
    const answer = await this.withRetries(
      () => `${method} ${url}`,
      async (signal) => {
        const init = next();
        method = init.method ?? "GET";
        const response = await this.#aws.fetch(url, { ...init, signal });
        return { status: response.status, discard: () => response.body?.cancel(), response };
      },
    );
    return answer.response;
  }

  /** Signs a GET of `key` (SigV4), for a caller that sends it with a transport of its own (see withRetries). */
  sign(key: string): Promise<Request> {
    return this.#aws.sign(this.url(key));
  }

  /**
   * Runs `exchange` (one HTTP request, given the attempt's time limit as a signal) under the retry
   * policy: network errors, time-outs and 5xx/429/408 answers are tried again after a backoff with
   * full jitter. Returns the last answer, whatever its status; throws S3Error when no attempt got one.
   */
  async withRetries<A extends S3Answer>(
    describe: () => string,
    exchange: (signal: AbortSignal) => Promise<A>,
  ): Promise<A> {
    let lastError = "";
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * this.retry.baseDelayMs * 3 ** (attempt - 2));
      try {
        const answer = await exchange(AbortSignal.timeout(this.retry.timeoutMs));
        if (!retryable(answer.status) || attempt === this.retry.attempts) return answer;
        lastError = `HTTP ${answer.status}`;
        await answer.discard();
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        if (attempt === this.retry.attempts) {
          throw new S3Error(`S3 ${describe()} failed after ${attempt} attempts: ${lastError}`);
        }
      }
    }
    throw new S3Error(`S3 ${describe()} failed: ${lastError}`);
  }

  /**
   * Stores an object; resolves only once S3 has acknowledged it. The PUT carries the body's
   * SHA-256, so a body that arrives other than as sent is refused by the store, not stored.
   */
  async put(
    key: string,
    body: string | Uint8Array<ArrayBuffer>,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<void> {
    // TextEncoder's views are ArrayBuffer-backed; the DOM and workers types only promise ArrayBufferLike.
    const bytes = typeof body === "string" ? (encoder.encode(body) as Uint8Array<ArrayBuffer>) : body;
    const checksum = await sha256Checksum(bytes);
    const response = await this.send(key, {
      method: "PUT",
      body: bytes,
      headers: { ...headers, "content-type": contentType, [CHECKSUM_HEADER]: checksum },
    });
    await response.body?.cancel();
    if (!response.ok) throw new S3Error(`S3 PUT ${this.url(key)} answered HTTP ${response.status}`, response.status);
  }

  /** Reads an object as text. */
  async getText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.getBytes(key));
  }

  /** Lists the keys under `prefix` in key order (ListObjectsV2, following continuation tokens). */
  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    return (await this.listObjects(prefix, options)).map((object) => object.key);
  }

  /** Like list(), with each object's size, ETag and time. */
  async listObjects(prefix: string, options: ListOptions = {}): Promise<S3Object[]> {
    const objects: S3Object[] = [];
    const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
    let token: string | undefined;
    do {
      const pageSize = Math.min(options.pageSize ?? 1000, maxKeys - objects.length);
      const query = new URLSearchParams({ "list-type": "2", prefix, "max-keys": String(pageSize) });
      if (token) query.set("continuation-token", token);
      else if (options.startAfter) query.set("start-after", options.startAfter);
      const response = await this.send("", {}, query);
      const xml = await response.text();
      if (!response.ok)
        throw new S3Error(`S3 list ${prefix} answered HTTP ${response.status}: ${xml.slice(0, 200)}`, response.status);
      let ended = false;
      for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const entry = match[1] as string;
        const key = unescapeXml(entry.match(/<Key>([^<]*)<\/Key>/)?.[1] ?? "");
        if (options.endBefore !== undefined && key >= options.endBefore) {
          ended = true;
          break;
        }
        objects.push({
          key,
          size: Number(entry.match(/<Size>(\d+)<\/Size>/)?.[1] ?? 0),
          etag: unescapeXml(entry.match(/<ETag>([^<]*)<\/ETag>/)?.[1] ?? ""),
          lastModified: new Date(entry.match(/<LastModified>([^<]*)<\/LastModified>/)?.[1] ?? 0),
        });
      }
      token =
        !ended && /<IsTruncated>true<\/IsTruncated>/.test(xml) && objects.length < maxKeys
          ? unescapeXml(xml.match(/<NextContinuationToken>([^<]*)</)?.[1] ?? "")
          : undefined;
    } while (token);
    return objects;
  }

  /** Reads an object's bytes. */
  async getBytes(key: string): Promise<Uint8Array<ArrayBuffer>> {
    return (await this.getObject(key)).bytes;
  }

  /** Reads an object with its response headers (its metadata among them). */
  async getObject(key: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; headers: Headers }> {
    const response = await this.send(key);
    if (!response.ok) {
      await response.body?.cancel();
      throw new S3Error(`S3 GET ${this.url(key)} answered HTTP ${response.status}`, response.status);
    }
    return { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
  }

  /** Deletes an object; deleting a missing key succeeds, as in S3. */
  async delete(key: string): Promise<void> {
    const response = await this.send(key, { method: "DELETE" });
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) {
      throw new S3Error(`S3 DELETE ${this.url(key)} answered HTTP ${response.status}`, response.status);
    }
  }

  /** Whether the bucket answers (HEAD bucket). */
  async ping(): Promise<void> {
    const response = await this.send("", { method: "HEAD" });
    if (!response.ok) throw new S3Error(`S3 HEAD ${this.url()} answered HTTP ${response.status}`, response.status);
  }
}
