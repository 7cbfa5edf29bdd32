/**
 * A second Pitwall process for the revocation test (lib/auth/revocation.test.ts spawns it): opens its own database
 * handle on argv[2] and checks the key in argv[3] every 100 ms, printing "ok" or the HTTP status.
 */
import { openPostgres } from "@/db/client";
import { toAppError } from "../lib/errors";
import { verifyApiKey } from "../lib/auth/api-keys";

const [url, secret] = process.argv.slice(2);
if (!url || !secret) {
  console.error("usage: revocation-probe <database-url> <key>");
  process.exit(2);
}
const handle = openPostgres(url, { max: 1 });
const stop = async () => {
  await handle.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.resume();

for (;;) {
  try {
    await verifyApiKey(handle.db, secret, "ingest");
    process.stdout.write("ok\n");
  } catch (err) {
    process.stdout.write(`${toAppError(err).status}\n`);
  }
  await new Promise((r) => setTimeout(r, 100));
}
