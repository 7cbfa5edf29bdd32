import { createHash } from "node:crypto";
import { seededRandom } from "../seeded-random";

/** A seeded source of floats in [0, 1). Replies and latencies draw from these, never Math.random. */
export type Rng = () => number;

/** Seeded streams for replies and latencies (mulberry32, shared with the playground's bootstrap). */
export const createRng: (seed: number) => Rng = seededRandom;

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
