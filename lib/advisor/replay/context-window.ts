/**
 * What a sliding context window of N turns would send, rebuilt from a session's recorded turns.
 *
 * A session's call at turn k (messageCount 2k + 1: k user/assistant pairs, then the new user
 * message) sent P_k prompt tokens. A window keeps the first pair (the task), the last N pairs and
 * the new message; it cuts the pairs 1 .. k−N−1. With the recorded prompts P_j and replies out_j of
 * the earlier turns, the kept tokens are exact:
 *
 *   kept(k) = P_0 + out_0 + (P_k − P_{k−N−1} − out_{k−N−1})
 *
 * (P_j − P_{j−1} is reply j−1 plus user message j, so the cut span is P_{k−N−1} + out_{k−N−1} − P_0 − out_0).
 * A turn whose earlier turns the window did not record falls back to a share of messages.
 */
export class SessionTurns {
  /** session code → prompt and reply tokens per turn index (NaN: not seen). */
  private readonly turns = new Map<number, { prompt: number[]; output: number[] }>();

  record(session: number, messages: number, prompt: number, output: number): void {
    const k = turnOf(messages);
    if (session < 0 || k === null) return;
    let s = this.turns.get(session);
    if (!s) this.turns.set(session, (s = { prompt: [], output: [] }));
    s.prompt[k] = prompt;
    s.output[k] = output;
  }

  /**
   * The prompt tokens the call would send under a window of `window` turns, or `null` when the
   * session's earlier turns needed for it are not in the traffic.
   */
  windowed(session: number, messages: number, window: number, prompt: number): number | null {
    const k = turnOf(messages);
    if (k === null || k <= window + 1) return k === null ? null : prompt;
    const s = this.turns.get(session);
    const cut = k - window - 1;
    const p0 = s?.prompt[0];
    const o0 = s?.output[0];
    const pc = s?.prompt[cut];
    const oc = s?.output[cut];
    if (p0 === undefined || o0 === undefined || pc === undefined || oc === undefined) return null;
    return Math.max(p0, Math.round(p0 + o0 + (prompt - pc - oc)));
  }
}

/** Turn index of a call with this many messages (odd counts only: pairs then the new user message). */
function turnOf(messages: number): number | null {
  return messages >= 1 && messages % 2 === 1 ? (messages - 1) / 2 : null;
}

/** Messages a window of N turns keeps: the first pair, the last N pairs and the new user message. */
export const keptMessages = (turns: number) => 2 * turns + 3;

/** The fallback: message tokens beyond the system prompt shrink with the share of messages kept. */
export function proportionalWindow(prompt: number, system: number, messages: number, kept: number): number {
  return Math.round(system + (prompt - system) * (kept / messages));
}
