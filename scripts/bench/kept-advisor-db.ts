import postgres from "postgres";
import { openPostgres } from "../../db/client";
import { runMigrations } from "../../db/migrate";

/**
 * The kept 1M-event bench database (`pitwall_advisor_bench` next to DATABASE_URL's), made and
 * migrated on first use: bench:advisor-load --keep fills it once, and it and
 * scripts/profile-advisor-1m.ts reuse it.
 */
export async function keptAdvisorDb() {
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const found = await admin`select 1 from pg_database where datname = 'pitwall_advisor_bench'`;
  if (found.length === 0) await admin.unsafe("create database pitwall_advisor_bench");
  await admin.end();
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = "/pitwall_advisor_bench";
  const handle = openPostgres(url.toString(), { max: 2 });
  await runMigrations(handle);
  return handle;
}
