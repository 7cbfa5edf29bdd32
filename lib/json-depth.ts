/**
 * True when a parsed JSON value nests deeper than `max` arrays or objects. Walked without
 * recursion: JSON.parse accepts any depth, but every recursive step after it (hashing, token
 * counting, JSON.stringify) would overflow the stack on a body like [[[[…]]]] and answer 500.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
