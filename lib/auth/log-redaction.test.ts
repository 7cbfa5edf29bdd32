import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Auth secrets (session cookies, passwords) never reach a log line of the real app logger. */
describe("log redaction of auth secrets", () => {
  it("redacts cookies and passwords wherever a handler might log them", () => {
    const script = `
      import { log } from "./lib/log.ts";
      log.info({ headers: { cookie: "pitwall.session_token=SECRET1.sig" }, cookie: "SECRET2" }, "request");
      log.info({ body: { currentPassword: "SECRET3", newPassword: "SECRET4", password: "SECRET5" }, currentPassword: "SECRET6" }, "change");
      log.info({ req: { headers: { cookie: "SECRET7" } } }, "nested");
    `;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: "info", NODE_ENV: "production" },
      encoding: "utf8",
    });
    expect(out.split("\n").filter(Boolean)).toHaveLength(3);
    for (let i = 1; i <= 7; i++) expect(out).not.toContain(`SECRET${i}`);
    expect(out).toContain("[redacted]");
  });
});
