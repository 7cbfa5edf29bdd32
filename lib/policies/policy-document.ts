import type { z } from "zod";
import type { PolicyKind } from "@/db/schema";
import { AppError } from "../errors";
import { CachePolicy, EMPTY_CACHE_POLICY } from "./cache-policy-schema";
import { EMPTY_ROUTING_POLICY, RoutingPolicy } from "./routing-policy-schema";

export type PolicyDocument<K extends PolicyKind> = K extends "routing" ? RoutingPolicy : CachePolicy;
export type PolicyIssue = { path: string; message: string };

const SCHEMAS = { routing: RoutingPolicy, cache: CachePolicy } as const;

/** What a project runs under before anyone saves a policy: pass-through, response cache off. */
export const EMPTY_POLICIES = { routing: EMPTY_ROUTING_POLICY, cache: EMPTY_CACHE_POLICY } as const;

function toIssues(error: z.ZodError): PolicyIssue[] {
  return error.issues.slice(0, 50).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** Validates a document of either kind; issues carry dotted paths (`rules.0.action.model`). */
export function parsePolicyDocument<K extends PolicyKind>(kind: K, doc: unknown): { ok: true; document: PolicyDocument<K> } | { ok: false; issues: PolicyIssue[] } {
  const result = SCHEMAS[kind].safeParse(doc);
  if (!result.success) return { ok: false, issues: toIssues(result.error) };
  return { ok: true, document: result.data as PolicyDocument<K> };
}

/** As parsePolicyDocument, throwing a 400 with the issues as details. */
export function requirePolicyDocument<K extends PolicyKind>(kind: K, doc: unknown): PolicyDocument<K> {
  const parsed = parsePolicyDocument(kind, doc);
  if (!parsed.ok) throw new AppError("bad_request:policy", `The ${kind} policy is invalid.`, { details: { issues: parsed.issues } });
  return parsed.document;
}
