import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openPglite, openPostgres, type DbHandle } from "./client";
import { runMigrations } from "./migrate";

/**
 * A fresh, migrated database for one test file: a new Postgres database on the DATABASE_URL server
 * when it is set (dropped on close), otherwise an in-memory PGlite. Tests stay isolated and parallel.
 */
export async function createTestDb(): Promise<DbHandle & { url?: string }> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const handle = openPglite(undefined);
    await runMigrations(handle);
    return handle;
  }
  const name = `pitwall_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { max: 5 });
  await runMigrations(handle);
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
