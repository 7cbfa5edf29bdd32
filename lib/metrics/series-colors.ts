// Pure and browser-safe: which palette slot each series (a model, mostly) is drawn in.

/** FNV-1a: a small, well-spread hash of a name, the same in every browser and on every load. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A palette slot per key taken from the key's name, not its rank, so a model keeps its colour
 * when the range (and so the ranking) changes. Two names that hash to one slot would look alike:
 * the later name in sort order moves to the next free slot (free while there are no more keys
 * than slots), which depends only on which keys are present, never on their order or values.
 */
export function seriesColorSlots(keys: readonly string[], slots: number): Map<string, number> {
  const out = new Map<string, number>();
  const taken = new Set<number>();
  for (const key of [...new Set(keys)].sort()) {
    let slot = hashName(key) % slots;
    if (taken.size < slots) while (taken.has(slot)) slot = (slot + 1) % slots;
    taken.add(slot);
    out.set(key, slot);
  }
  return out;
}
