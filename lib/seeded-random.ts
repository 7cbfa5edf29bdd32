/**
 * mulberry32: a tiny, fast seeded source of floats in [0, 1), good enough for simulated traffic and
 * for bootstrap resampling; identical seeds give identical streams. Free of node: imports, so the
 * browser (the playground's verdict) and the simulator share it.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
