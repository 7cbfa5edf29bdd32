/**
 * A Recharts `dot` renderer that draws only where `isolated[index]` is true: a value with a gap
 * on both sides, which a line alone would not show. Everywhere else the line itself is enough.
 */
export function isolatedDot(isolated: readonly boolean[], color: string, r: number) {
  function IsolatedDot(p: { index?: number; cx?: number; cy?: number }) {
    const key = `dot-${p.index}`;
    if (p.index === undefined || !isolated[p.index] || p.cx === undefined || p.cy === undefined) return <g key={key} />;
    return <circle key={key} cx={p.cx} cy={p.cy} r={r} fill={color} stroke={color} data-testid="isolated-point" />;
  }
  return IsolatedDot;
}
