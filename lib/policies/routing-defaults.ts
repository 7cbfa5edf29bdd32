/** Routing constants planRoute needs at run time, apart from the zod schema so planRoute stays dependency-free. */

/** Used when an action has fallbacks but names no budget. */
export const DEFAULT_RETRY_BUDGET_MS = 10_000;
