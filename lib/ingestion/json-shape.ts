import { unsafeTextReason } from "../safe-text";

/**
 * Walks an untrusted JSON value without recursion, checking depth and every string (keys too).
 * The value is never copied or merged, so keys like `__proto__` stay plain data.
 */
export function checkJsonShape(value: unknown, maxDepth: number): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v === "string") {
      const reason = unsafeTextReason(v);
      if (reason) return `a string ${reason}`;
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= maxDepth) return `nesting deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(v)) {
      const reason = unsafeTextReason(key);
      if (reason) return `a key ${reason}`;
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return null;
}
