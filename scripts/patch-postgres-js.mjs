// postinstall: guards postgres.js 3.4.x's nextWrite against a socket that closed while a small
// write waited for setImmediate (porsager/postgres#1154, #1208; fix proposed upstream in #1176 and
// #1209, unreleased). Unguarded, a Postgres restart throws an uncatchable TypeError from a timer
// and takes the whole Pitwall process down. closed() has already rejected the queries waiting on
// that socket, so the buffered bytes are dropped. Idempotent; a no-op once upstream has a guard.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const MARK = "/* pitwall: null-socket guard */";
const ORIGINAL = "  function nextWrite(fn) {\n";
const GUARDED = `${ORIGINAL}    ${MARK} if (!socket) { nextWriteTimer !== null && clearImmediate(nextWriteTimer); chunk = nextWriteTimer = null; return false }\n`;

for (const variant of ["src", "cjs/src", "cf/src"]) {
  const file = path.join(process.cwd(), "node_modules", "postgres", variant, "connection.js");
  if (!existsSync(file)) continue;
  const source = readFileSync(file, "utf8");
  if (source.includes(MARK)) continue;
  if (!source.includes(ORIGINAL)) {
    console.warn(`patch-postgres-js: ${file} changed upstream; not patched`);
    continue;
  }
  writeFileSync(file, source.replace(ORIGINAL, GUARDED));
}
