import pino from "pino";

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by path, and free-form
 * strings are scrubbed of key-shaped values, so a secret never reaches a log line.
 */
const SECRET_PATTERN = /(pw_sk_[A-Za-z0-9_-]+|sk-ant-[A-Za-z0-9_-]+)/g;

export function scrubSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, (m) => `${m.slice(0, m.startsWith("pw_sk_") ? 8 : 7)}…[redacted]`);
}

export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: undefined,
  redact: {
    paths: [
      "authorization",
      "*.authorization",
      "headers.authorization",
      'headers["x-api-key"]',
      "*.apiKey",
      "apiKey",
      "secret",
      "*.secret",
      "password",
      "*.password",
      // Session cookies and password-change bodies (auth).
      "cookie",
      "headers.cookie",
      "*.headers.cookie",
      'headers["set-cookie"]',
      "currentPassword",
      "newPassword",
      "*.currentPassword",
      "*.newPassword",
    ],
    censor: "[redacted]",
  },
  formatters: {
    log(obj) {
      // Errors are flattened to name/message/code with secrets scrubbed, never full request dumps.
      const err = obj.err as unknown;
      if (err instanceof Error) {
        const code = (err as { code?: unknown }).code;
        const cause = err.cause instanceof Error ? scrubSecrets(err.cause.message) : undefined;
        return { ...obj, err: { name: err.name, message: scrubSecrets(err.message), code, cause, stack: scrubSecrets(err.stack ?? "") } };
      }
      return obj;
    },
  },
});
