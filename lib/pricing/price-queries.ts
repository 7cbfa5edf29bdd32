import { asc, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { modelPrices } from "@/db/schema";
import { PriceBook } from "./compute-cost";
import { seedPriceRows, usdPerMillionToNanoPerToken } from "./seed-prices";
import type { PriceInput } from "./price-schema";

export async function listPrices(db: Db, projectId: string) {
  return db
    .select()
    .from(modelPrices)
    .where(eq(modelPrices.projectId, projectId))
    .orderBy(asc(modelPrices.model), asc(modelPrices.effectiveFrom), asc(modelPrices.minPromptTokens));
}

export async function seedPrices(db: DbOrTx, projectId: string): Promise<void> {
  await db.insert(modelPrices).values(seedPriceRows().map((row) => ({ ...row, projectId })));
}

/**
 * Upserts price rows (same model, effective date and tier = same row) in one transaction: a batch
 * of edits lands whole or not at all. An operator's edit is marked verified: they own that number.
 */
export async function upsertPrices(db: Db, projectId: string, inputs: PriceInput[]) {
  const now = new Date();
  const values = inputs.map((input) => ({
    projectId,
    model: input.model,
    effectiveFrom: new Date(input.effectiveFrom),
    minPromptTokens: input.minPromptTokens,
    inputNano: usdPerMillionToNanoPerToken(input.inputPerMTok),
    cacheWrite5mNano: usdPerMillionToNanoPerToken(input.cacheWrite5mPerMTok),
    cacheWrite1hNano: usdPerMillionToNanoPerToken(input.cacheWrite1hPerMTok),
    cacheReadNano: usdPerMillionToNanoPerToken(input.cacheReadPerMTok),
    outputNano: usdPerMillionToNanoPerToken(input.outputPerMTok),
    verified: true,
    source: "edited by operator",
    updatedAt: now,
  }));
  return db.transaction(async (tx) => {
    const saved = [];
    for (const row of values) {
      const [out] = await tx
        .insert(modelPrices)
        .values(row)
        .onConflictDoUpdate({
          target: [modelPrices.projectId, modelPrices.model, modelPrices.effectiveFrom, modelPrices.minPromptTokens],
          set: {
            inputNano: row.inputNano,
            cacheWrite5mNano: row.cacheWrite5mNano,
            cacheWrite1hNano: row.cacheWrite1hNano,
            cacheReadNano: row.cacheReadNano,
            outputNano: row.outputNano,
            verified: true,
            source: row.source,
            updatedAt: now,
          },
        })
        .returning();
      saved.push(out!);
    }
    return saved;
  });
}

export async function upsertPrice(db: Db, projectId: string, input: PriceInput) {
  return (await upsertPrices(db, projectId, [input]))[0]!;
}

/**
 * Price books are cached per project. Edits in this process invalidate at once; other processes
 * pick them up within the TTL.
 */
const BOOK_TTL_MS = 10_000;
const books = new Map<string, { book: PriceBook; expires: number }>();

export async function getPriceBook(db: Db, projectId: string): Promise<PriceBook> {
  const cached = books.get(projectId);
  if (cached && cached.expires > Date.now()) return cached.book;
  const rows = await listPrices(db, projectId);
  const book = new PriceBook(rows);
  books.set(projectId, { book, expires: Date.now() + BOOK_TTL_MS });
  return book;
}

export function invalidatePriceBook(projectId: string): void {
  books.delete(projectId);
}
