import postgres from "postgres";

/**
 * A throwaway Postgres database for one benchmark run, next to `baseUrl`'s. `drop(keep)` leaves it
 * in place when asked (to inspect a run), and always closes the admin connection.
 */
export async function freshDatabase(baseUrl: string, prefix: string): Promise<{ url: string; drop: (keep?: boolean) => Promise<void> }> {
  const name = `${prefix}_${Date.now()}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async (keep = false) => {
      if (!keep) await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
