import { getDbHandle } from "../db/client";
import { runMigrations } from "../db/migrate";

const handle = getDbHandle();
await runMigrations(handle);
console.log(`migrations applied (${handle.kind})`);
await handle.close();
