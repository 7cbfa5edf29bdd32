import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { hashPassword } from "better-auth/crypto";
import type { DbOrTx } from "@/db/client";
import { account, user } from "@/db/schema";
import { AppError } from "../errors";
import type { NewAccount } from "./schemas";

/**
 * Creates a user with a password the way better-auth's sign-up does (a "credential" account with
 * better-auth's scrypt hash), without opening public sign-up. `input` is already parsed.
 */
export async function createUserWithPassword(db: DbOrTx, input: NewAccount): Promise<{ id: string; email: string; name: string }> {
  const id = randomBytes(18).toString("base64url");
  const hash = await hashPassword(input.password);
  const [row] = await db
    .insert(user)
    .values({ id, email: input.email, name: input.name, emailVerified: false })
    .onConflictDoNothing({ target: user.email })
    .returning({ id: user.id, email: user.email, name: user.name });
  if (!row) throw new AppError("conflict:user_email", "An account with this email already exists: sign in instead.");
  await db.insert(account).values({ id: randomBytes(18).toString("base64url"), accountId: id, providerId: "credential", userId: id, password: hash });
  return row;
}

export async function getUserByEmail(db: DbOrTx, email: string) {
  const [row] = await db.select({ id: user.id, email: user.email, name: user.name }).from(user).where(eq(user.email, email.trim().toLowerCase())).limit(1);
  return row;
}
