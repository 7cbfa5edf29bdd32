import type { Db } from "@/db/client";
import { getProjectBySlug } from "../projects/project-queries";

// Slugs never change (renaming changes the name only), so slug -> id can be remembered per db.
const caches = new WeakMap<Db, Map<string, string>>();
const MAX = 10_000;

export async function projectIdForSlug(db: Db, slug: string): Promise<string | null> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const hit = cache.get(slug);
  if (hit) return hit;
  const id = (await getProjectBySlug(db, slug))?.id ?? null;
  // Unknown slugs are not remembered: the project may be created a moment later.
  if (id) {
    if (cache.size > MAX) cache.clear();
    cache.set(slug, id);
  }
  return id;
}
