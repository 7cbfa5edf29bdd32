import { Card, CardTitle } from "../ui/card";

/** A titled card around one chart. */
export function ChartCard({ title, subtitle, children, testId }: { title: string; subtitle?: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card className="min-w-0 space-y-2" data-testid={testId}>
      <div className="flex items-baseline justify-between gap-2">
        <CardTitle>{title}</CardTitle>
        {subtitle ? <span className="text-xs text-[var(--muted)]">{subtitle}</span> : null}
      </div>
      {children}
    </Card>
  );
}
