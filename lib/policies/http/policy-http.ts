import { z } from "zod";
import type { Db } from "@/db/client";
import { POLICY_KINDS, type PolicyKind } from "@/db/schema";
import type { Caller } from "../../auth/caller";
import { AppError } from "../../errors";
import { getPriceBook } from "../../pricing/price-queries";
import type { PolicyDocument } from "../policy-document";
import { unpricedModelWarnings } from "../policy-warnings";

/** Shared parsing of the policies API: the kind segment, who acts, bad bodies, If-Match. */

const Kind = z.enum(POLICY_KINDS);

export function parseKind(raw: string | undefined): PolicyKind {
  const parsed = Kind.safeParse(raw);
  if (!parsed.success) throw new AppError("not_found:policy_kind", `Unknown policy kind; use one of ${POLICY_KINDS.join(", ")}.`);
  return parsed.data;
}

/** What the audit log and version list record as the author. */
export function actor(caller: Caller): string {
  return caller.kind === "user" ? caller.email : `key:${caller.keyId}`;
}

export function badBody(error: z.ZodError, prefix: (string | number)[] = []): AppError {
  const issues = error.issues.slice(0, 20).map((i) => ({ path: [...prefix, ...i.path].map(String).join("."), message: i.message }));
  const first = issues[0];
  const message = first ? `Invalid request body: ${first.path ? `${first.path}: ` : ""}${first.message}` : "Invalid request body.";
  return new AppError("bad_request:body", message, { details: { issues } });
}

// Versions are Postgres integers: a larger number is a 400, not a database error.
export const VersionNumber = z.coerce.number().int().min(1).max(2_147_483_647);

/**
 * `If-Match: "<version>"` (weak `W/"3"` and bare `3` too) as the live version the edit was made on;
 * `*` or no header means no check. Anything else is a 400, never silently ignored.
 */
export function ifMatchVersion(req: Request): number | undefined {
  const raw = req.headers.get("if-match")?.trim();
  if (!raw || raw === "*") return undefined;
  const m = /^(?:W\/)?"?(\d{1,10})"?$/.exec(raw);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) throw new AppError("bad_request:if_match", 'If-Match must be a policy version in quotes, such as "3".');
  return n;
}

/** The ETag of one kind's live document: its version, which is what If-Match takes back. */
export const versionEtag = (version: number) => `"${version}"`;

/** Unpriced models in a routing document, as warnings next to a successful answer. */
export async function modelWarnings<K extends PolicyKind>(db: Db, projectId: string, kind: K, doc: PolicyDocument<K>) {
  const prices = await getPriceBook(db, projectId);
  const now = new Date();
  return unpricedModelWarnings(kind, doc, (model) => prices.find(model, now, 0) !== undefined);
}
