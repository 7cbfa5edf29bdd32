import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "./auth-instance";
import { ROLES } from "../projects/roles";
import { API_KEY_SCOPES } from "@/db/schema";
import { storableText } from "../safe-text";

/** Bodies of the auth, key and member routes; each name is both the schema and its type. */
export const Email = z
  .string()
  .trim()
  .max(254, "Email is too long.")
  .pipe(z.email("Enter a valid email address."))
  .transform((s) => s.toLowerCase());

export const Password = z
  .string()
  .min(PASSWORD_MIN, `Passwords need at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Passwords have at most ${PASSWORD_MAX} characters.`);

export const PersonName = z.string().trim().min(1, "Enter a name.").max(100, "Names have at most 100 characters.").superRefine(storableText);

export const Role = z.enum(ROLES);

export const NewAccount = z.object({ email: Email, name: PersonName, password: Password }).strict();
export type NewAccount = z.infer<typeof NewAccount>;

export const SetupBody = NewAccount.extend({
  // Used only when no project exists yet (no PITWALL_INIT_PROJECT).
  projectSlug: z.string().trim().optional(),
  // The one-time token the server printed at start (not needed with PITWALL_SETUP_ACCESS=loopback).
  setupToken: z.string().max(200, "That is not a setup token.").optional(),
}).strict();
export type SetupBody = z.infer<typeof SetupBody>;

export const CreateKeyBody = z
  .object({
    name: z.string().trim().min(1, "Name the key.").max(100, "Key names have at most 100 characters.").superRefine(storableText),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1, "Pick at least one scope.")
      .transform((s) => [...new Set(s)]),
  })
  .strict();
export type CreateKeyBody = z.infer<typeof CreateKeyBody>;

export const UuidParam = z.uuid();

/** Turns the first zod issue into a 400 message a person can act on. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request.";
  const path = issue.path.join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
