import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { AppError } from "../../errors";
import { json, readJson } from "../../http/web-handler";
import { invalidatePriceBook, listPrices, upsertPrices } from "../price-queries";
import { PutPricesBody } from "../price-schema";
import { presentPrice } from "../price-view";

/** GET /api/v1/prices: the project's price table (viewer, or a key with metrics:read). */
export async function getPrices(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const rows = await listPrices(db, caller.projectId);
  return json({ prices: rows.map(presentPrice) });
}

/**
 * PUT /api/v1/prices: upserts rows (same model + effective date + tier = same row). Editors only;
 * API keys cannot change prices. Costs already stored are recomputed only on request.
 */
export async function putPrices(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "editor", projectSlug: projectParam(req) });
  const parsed = PutPricesBody.safeParse(await readJson(req));
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError("bad_request:prices", "Invalid price rows.", { details });
  }
  const saved = await upsertPrices(db, caller.projectId, parsed.data.prices);
  invalidatePriceBook(caller.projectId);
  return json({ prices: saved.map(presentPrice) });
}
