import { SHOWN_METRICS, changeOf, trustLabel, trusted, type ShownMetric } from "@/lib/advisor/advisor-view";
import type { BacktestError, Figures } from "@/lib/advisor/replay/replay-schema";
import { formatChange, formatCostPerRequest, formatMs, formatPercent } from "@/lib/metrics/format";

function show(m: ShownMetric, v: number | null): string {
  if (v === null) return "—";
  if (m.unit === "ms") return formatMs(v);
  if (m.unit === "usd") return formatCostPerRequest(v);
  if (m.unit === "rate") return formatPercent(v, 1);
  return `${v.toFixed(1)}/min`;
}

/** Measured, backtest (with its error: the trust) and predicted figures side by side. */
export function FiguresTable({ measured, backtest, predicted, error, testId }: { measured: Figures; backtest: Figures | null; predicted: Figures | null; error: BacktestError | null; testId: string }) {
  return (
    <table className="w-full text-xs" data-testid={testId}>
      <thead>
        <tr className="text-left text-[var(--muted)]">
          <th className="pr-3 font-normal">Metric</th>
          <th className="pr-3 text-right font-normal">Measured</th>
          <th className="pr-3 text-right font-normal">Backtest (trust)</th>
          <th className="pr-3 text-right font-normal">Predicted</th>
          <th className="pr-3 text-right font-normal">Change</th>
        </tr>
      </thead>
      <tbody>
        {SHOWN_METRICS.map((m) => {
          const err = error && m.key in error ? error[m.key as keyof BacktestError] : null;
          return (
            <tr key={m.key} data-metric={m.key}>
              <td className="pr-3">{m.label}</td>
              <td className="pr-3 text-right tabular-nums">{show(m, measured[m.key])}</td>
              <td className="pr-3 text-right tabular-nums">
                {backtest ? show(m, backtest[m.key]) : "—"}{" "}
                {err !== undefined && err !== null ? <span className={trusted(err) ? "text-emerald-700 dark:text-emerald-300" : "text-amber-700 dark:text-amber-300"}>({trustLabel(err)})</span> : null}
              </td>
              <td className="pr-3 text-right font-medium tabular-nums" data-testid={`${testId}-predicted-${m.key}`}>
                {predicted ? show(m, predicted[m.key]) : "—"}
              </td>
              <td className="pr-3 text-right tabular-nums">{predicted && changeOf(measured[m.key], predicted[m.key]) !== null ? formatChange(changeOf(measured[m.key], predicted[m.key])) : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
