/**
 * Money leaves the API twice: exactly, as a decimal string of USD (from integer nano-USD), and as
 * a number rounded to the micro-dollar for charts and people.
 */
export function nanoToUsdString(nano: bigint): string {
  const negative = nano < 0n;
  const abs = negative ? -nano : nano;
  const whole = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

export function nanoToUsdRounded(nano: bigint): number {
  // Split before converting so amounts beyond 2^53 nano-USD keep their micro-dollars.
  const micro = nano / 1000n + ((nano % 1000n) * 2n >= 1000n ? 1n : (nano % 1000n) * 2n <= -1000n ? -1n : 0n);
  return Number(micro) / 1e6;
}

/** a / b, or null when b is 0 (a rate over nothing is a gap, not zero). */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}
