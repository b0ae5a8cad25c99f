// Test helper: the real PostgreSQL that tests use, from TEST_DATABASE_URL
// (required; e.g. postgres://growit:growit@127.0.0.1:5432/growit_test with a
// role allowed to CREATE DATABASE). Each test gets a fresh database.
import { randomBytes } from "node:crypto";
import pg from "pg";

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "TEST_DATABASE_URL is not set: point it at a real PostgreSQL 15+ whose role may CREATE DATABASE " +
        "(e.g. postgres://growit:growit@127.0.0.1:5432/growit_test)",
    );
  }
  return url;
}

/** Creates an empty database on the TEST_DATABASE_URL server; returns its URL and a drop(). */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = testDatabaseUrl();
  const name = `growit_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client(adminUrl);
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Drops every database whose name starts with `prefix` (what a test run left behind). */
export async function dropDatabases(prefix: string): Promise<void> {
  const admin = new pg.Client(testDatabaseUrl());
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
