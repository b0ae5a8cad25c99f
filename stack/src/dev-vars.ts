// Writes `.dev.vars` (dotenv format) at the repo root for `wrangler dev`: the
// worker's secrets in local mode. Values from the environment win over the
// local defaults. SESSION_SECRET and BRONZE_SEAL_KEY are generated on the first
// start and kept on later ones (so sessions and seals survive a restart); NEON_WS_PROXY
// carries the relay's secret, new at every start. Keys
// not managed here that a developer added by hand are kept. Note that .dev.vars overrides
// wrangler.jsonc `vars`, so S3_ENDPOINT/S3_BUCKET/S3_REGION are only written
// when set in the environment.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postgresTarget, REPO_ROOT, S3 } from "./local.ts";

export interface DevVarsOptions {
  /** The Postgres in use (embedded or DATABASE_URL). */
  databaseUrl: string;
  /** The running relay's `wsProxy` (host:port/secret), unless env names another relay. */
  relayWsProxy: string;
  env?: NodeJS.ProcessEnv;
  /** Default: <repo>/.dev.vars */
  path?: string;
}

export function parseDotenv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m?.[1]) continue;
    let value = m[2] ?? "";
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? "";
    else value = value.replace(/\s+#.*$/, "");
    vars.set(m[1], value);
  }
  return vars;
}

function quote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(".dev.vars values cannot contain newlines");
  if (/^[A-Za-z0-9_.:/@%+,=-]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new Error(".dev.vars values cannot contain both quote characters");
}

/** The variables `npm start` gives the worker. */
export function devVars(options: DevVarsOptions, existing: Map<string, string> = new Map()): Map<string, string> {
  const env = options.env ?? process.env;
  const vars = new Map(existing);
  vars.set("S3_ACCESS_KEY_ID", env.S3_ACCESS_KEY_ID || S3.accessKeyId);
  vars.set("S3_SECRET_ACCESS_KEY", env.S3_SECRET_ACCESS_KEY || S3.secretAccessKey);
  for (const key of ["S3_ENDPOINT", "S3_BUCKET", "S3_REGION"]) {
    const value = env[key];
    if (value) vars.set(key, value);
    else vars.delete(key);
  }
  vars.set("DATABASE_URL", options.databaseUrl);
  // The relay is for local/plain Postgres; Neon's own endpoints need none.
  const proxy = env.NEON_WS_PROXY ?? (isNeonHost(options.databaseUrl) ? "" : options.relayWsProxy);
  if (proxy) vars.set("NEON_WS_PROXY", proxy);
  else vars.delete("NEON_WS_PROXY");
  for (const name of ["SESSION_SECRET", "BRONZE_SEAL_KEY"]) {
    vars.set(name, env[name] || existing.get(name) || randomBytes(32).toString("hex"));
  }
  return vars;
}

function isNeonHost(databaseUrl: string): boolean {
  try {
    return /\.neon\.(tech|build)$/i.test(postgresTarget(databaseUrl).host);
  } catch {
    return false;
  }
}

/** Writes .dev.vars (mode 0600, whatever the mode of the file it replaces) and returns what it wrote. */
export function writeDevVars(options: DevVarsOptions): Map<string, string> {
  const path = options.path ?? join(REPO_ROOT, ".dev.vars");
  const existing = existsSync(path) ? parseDotenv(readFileSync(path, "utf8")) : new Map<string, string>();
  const vars = devVars(options, existing);
  const lines = ["# Written by `npm start` for `wrangler dev`. Local secrets: never commit this file."];
  for (const [key, value] of vars) lines.push(`${key}=${quote(value)}`);
  // A mode applies only to a file being created, so the secrets go into a new 0600 file that
  // then replaces the old one: an older, wider .dev.vars never holds them.
  const fresh = `${path}.${process.pid}.tmp`;
  rmSync(fresh, { force: true });
  writeFileSync(fresh, `${lines.join("\n")}\n`, { mode: 0o600, flag: "wx" });
  renameSync(fresh, path);
  return vars;
}
