import { describe, expect, it } from "vitest";
import { keptMessages, SessionTurns } from "./context-window";

/**
 * A session built turn by turn as the reference workload's client does: each turn sends the
 * system prompt, every earlier (user, assistant) pair and the new user message. The window keeps
 * the first pair, the last N pairs and the new message (lib/demo/reference windowedMessages).
 */
function session(turns: number, seed: number) {
  const user = Array.from({ length: turns }, (_, j) => 200 + ((j * 7919 + seed) % 9000));
  const reply = Array.from({ length: turns }, (_, j) => 50 + ((j * 104729 + seed) % 700));
  const system = 600;
  const prompt = (k: number) => system + user.slice(0, k + 1).reduce((a, b) => a + b, 0) + reply.slice(0, k).reduce((a, b) => a + b, 0);
  // Counted message by message from what the window keeps.
  const windowed = (k: number, n: number) => {
    if (k <= n) return prompt(k);
    const pairs = [0, ...Array.from({ length: n }, (_, j) => k - n + j)];
    return system + pairs.reduce((sum, j) => sum + user[j]! + reply[j]!, 0) + user[k]!;
  };
  return { prompt, reply, windowed };
}

describe("SessionTurns", () => {
  it("rebuilds what a window of N turns sends from the recorded prompts and replies, turn by turn", () => {
    for (const n of [1, 2, 4]) {
      const s = session(12, n);
      const turns = new SessionTurns();
      for (let k = 0; k < 12; k++) {
        const messages = 2 * k + 1;
        turns.record(7, messages, s.prompt(k), s.reply[k]!);
        const expected = s.windowed(k, n);
        const got = messages > keptMessages(n) ? turns.windowed(7, messages, n, s.prompt(k)) : s.prompt(k);
        expect(got, `turn ${k}, window ${n}`).toBe(expected);
      }
    }
  });

  it("answers null when the earlier turns it needs were not recorded (a session that began before the window)", () => {
    const s = session(10, 3);
    const turns = new SessionTurns();
    for (let k = 5; k < 10; k++) turns.record(1, 2 * k + 1, s.prompt(k), s.reply[k]!);
    expect(turns.windowed(1, 19, 2, s.prompt(9))).toBeNull();
  });
});
