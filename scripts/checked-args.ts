import type { z } from "zod";

/**
 * A script's command-line values checked by `schema`. On bad input the first problem is printed
 * as `--option: message` and the script exits with status 2, before it starts anything.
 */
export function checkedArgs<S extends z.ZodType>(schema: S, values: unknown): z.output<S> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    console.error(`--${issue.path.join(".")}: ${issue.message}`);
    process.exit(2);
  }
  return parsed.data;
}
