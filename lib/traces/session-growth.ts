/**
 * How a session's prompt grows with each turn: the input tokens (cached or not) of its LLM calls
 * in order. Pure and browser-safe; the sessions list draws it as a sparkline.
 */
export type InputGrowth = { turns: number; first: number; last: number; perTurn: number | null };

export function inputGrowth(inputByTurn: number[]): InputGrowth {
  const n = inputByTurn.length;
  if (n === 0) return { turns: 0, first: 0, last: 0, perTurn: null };
  const first = inputByTurn[0]!;
  const last = inputByTurn[n - 1]!;
  if (n === 1) return { turns: 1, first, last, perTurn: null };
  // Least-squares slope over turn number: one long turn does not dominate as last-first would.
  const meanX = (n - 1) / 2;
  const meanY = inputByTurn.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  inputByTurn.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return { turns: n, first, last, perTurn: Math.round(num / den) };
}
