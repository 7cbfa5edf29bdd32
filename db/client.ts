import { mkdirSync } from "node:fs";
import path from "node:path";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The `tx` of `db.transaction((tx) => ...)`. */
export type Tx = PgTransaction<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;
/** What a query takes when it may run inside a caller's transaction or on its own. */
export type DbOrTx = Db | Tx;
export type DbKind = "postgres" | "pglite";

export type DbHandle = {
  db: Db;
  kind: DbKind;
  /** The raw postgres.js client, for COPY and LISTEN; absent on PGlite. */
  sql?: postgres.Sql;
  /** The connection string (Postgres), for a worker thread that opens its own pool. */
  url?: string;
  close: () => Promise<void>;
};

export function dataDir(): string {
  return process.env.PITWALL_DATA_DIR ?? path.join(process.cwd(), ".pitwall", "pglite");
}

export function openPostgres(url: string, opts: { max?: number } = {}): DbHandle {
  const client = postgres(url, {
    max: opts.max ?? Number(process.env.PITWALL_DB_POOL ?? 10),
    onnotice: () => {},
    // Fail fast when the server is down so callers can answer 503 instead of hanging.
    connect_timeout: 5,
    idle_timeout: 60,
  });
  return {
    db: drizzlePostgres(client, { schema }),
    kind: "postgres",
    sql: client,
    url,
    close: () => client.end({ timeout: 5 }),
  };
}

export function openPglite(dir: string | undefined): DbHandle {
  // undefined = in-memory (tests); a path = persistent data directory. PGlite creates only the
  // last path segment, so a fresh checkout needs .pitwall/ made first.
  if (dir) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  return {
    db: drizzlePglite(client, { schema }),
    kind: "pglite",
    close: () => client.close(),
  };
}

// The custom server and Next's bundled server code load this module as separate instances; the
// handle must be one per process or two PGlite instances would open (and corrupt) one data dir.
const GLOBAL_KEY = Symbol.for("pitwall.db");
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: DbHandle };

export function getDbHandle(): DbHandle {
  const g = globalThis as GlobalWithDb;
  let handle = g[GLOBAL_KEY];
  if (!handle) {
    const url = process.env.DATABASE_URL;
    handle = url ? openPostgres(url) : openPglite(dataDir());
    g[GLOBAL_KEY] = handle;
  }
  return handle;
}

export function getDb(): Db {
  return getDbHandle().db;
}

/** For tests and scripts that build their own handle. */
export function setDbHandle(handle: DbHandle | undefined): void {
  (globalThis as GlobalWithDb)[GLOBAL_KEY] = handle;
}
