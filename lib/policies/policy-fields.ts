import { z } from "zod";
import { storableText } from "../safe-text";

/** Shared building blocks of the routing and cache policy documents. */

/** Rules per document: planRoute walks them in order on every call (see bench:policies). */
export const MAX_RULES = 200;

// Anthropic, Bedrock (`us.anthropic.…:0`) and Vertex (`…@20250929`) ids all fit this alphabet.
export const ModelId = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(128, "at most 128 characters")
  .regex(/^[A-Za-z0-9._:@/-]+$/, "must be a model id such as claude-sonnet-4-5 (no spaces or wildcards)");

const ModelPatternOne = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(128, "at most 128 characters")
  .regex(/^[A-Za-z0-9._:@/*-]+$/, "must be a model id or a glob such as claude-opus-*");

const NamePatternOne = z.string().min(1, "must not be empty").max(200, "at most 200 characters").superRefine(storableText);

/** One glob (`*` is the only wildcard) or a list of them, any of which may match. */
export const ModelPattern = z.union([ModelPatternOne, z.array(ModelPatternOne).min(1).max(50)]);
export const NamePattern = z.union([NamePatternOne, z.array(NamePatternOne).min(1).max(50)]);

/** Every listed k=v must be present on the request. */
export const TagMatch = z
  .record(z.string().min(1).max(100).superRefine(storableText), z.string().max(200).superRefine(storableText))
  .refine((t) => Object.keys(t).length <= 20, "at most 20 tags");

/** Inclusive bounds; at least one of them. */
export const IntRange = z
  .strictObject({
    min: z.number().int("must be a whole number").min(0).optional(),
    max: z.number().int("must be a whole number").min(0).optional(),
  })
  .refine((r) => r.min !== undefined || r.max !== undefined, "give min, max or both")
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, "min must not exceed max");
export type IntRange = z.infer<typeof IntRange>;

/** A rule's note for people reading the policy. */
export const Description = z.string().max(500).superRefine(storableText);

/** Rule ids appear in recorded events and the editor; keep them short and URL-safe. */
export const RuleId = z
  .string()
  .min(1, "must not be empty")
  .max(64, "at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '-', '_' and '.', starting with a letter or digit");

/** Adds an issue for each repeated rule id, pointing at the repeat. */
export function checkUniqueRuleIds(rules: readonly { id: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id)) ctx.addIssue({ code: "custom", message: `duplicate rule id "${rule.id}"`, path: ["rules", i, "id"] });
    seen.add(rule.id);
  });
}
