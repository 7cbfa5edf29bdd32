import { LRUCache } from "lru-cache";
import type { Db } from "@/db/client";
import { getProjectBySlug } from "../projects/project-queries";

/**
 * Slugs never change (renaming changes the name only), so slug -> id can be remembered per db.
 * Bounded by count (least recently used go first) and by age, so a deleted project's slug does
 * not stay mapped for the life of the process.
 */
export const SLUG_CACHE_MAX = 10_000;
export const SLUG_TTL_MS = 10 * 60_000;
// Ages on the wall clock (Date.now), which tests' fake timers control.
const perf = { now: () => Date.now() };
const caches = new WeakMap<Db, LRUCache<string, string>>();

function cacheFor(db: Db): LRUCache<string, string> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new LRUCache<string, string>({ max: SLUG_CACHE_MAX, ttl: SLUG_TTL_MS, perf })));
  return cache;
}

export async function projectIdForSlug(db: Db, slug: string): Promise<string | null> {
  const cache = cacheFor(db);
  const hit = cache.get(slug);
  if (hit) return hit;
  const id = (await getProjectBySlug(db, slug))?.id ?? null;
  // Unknown slugs are not remembered: the project may be created a moment later.
  if (id) cache.set(slug, id);
  return id;
}
