import { z } from "zod";
import { AppError } from "../../errors";

const DAY_MS = 86_400_000;
export const MAX_WINDOW_DAYS = 90;

const WindowQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** ?from=&to= of the advisor endpoints: the last 7 days by default, at most 90 days. */
export function advisorWindow(req: Request): { from: Date; to: Date } {
  const params = new URL(req.url).searchParams;
  const parsed = WindowQuery.safeParse({ from: params.get("from") ?? undefined, to: params.get("to") ?? undefined });
  if (!parsed.success) throw new AppError("bad_request:range", `Invalid window: ${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message}`);
  const to = parsed.data.to ? new Date(parsed.data.to) : new Date();
  const from = parsed.data.from ? new Date(parsed.data.from) : new Date(to.getTime() - 7 * DAY_MS);
  if (from >= to) throw new AppError("bad_request:range", "from must be before to.");
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) throw new AppError("bad_request:range", `The window is at most ${MAX_WINDOW_DAYS} days.`);
  return { from, to };
}
