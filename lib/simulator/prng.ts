import { createHash } from "node:crypto";

/** A seeded source of floats in [0, 1). Replies and latencies draw from these, never Math.random. */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for simulated traffic; identical seeds give identical streams. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed derived from any parts (the simulator seed, a request's canonical text...). */
export function seedFrom(...parts: (string | number)[]): number {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(String(part)).update("\u0000");
  return hash.digest().readUInt32LE(0);
}

export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick from an empty list");
  return items[Math.floor(rng() * items.length)]!;
}

/** A standard normal draw (Box-Muller), for log-normal latencies. */
export function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
