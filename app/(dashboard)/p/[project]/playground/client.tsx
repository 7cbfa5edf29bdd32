"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fetchJson } from "@/components/auth/fetch-json";
import { PaneCard } from "@/components/playground/pane-card";
import { RunSummaryView } from "@/components/playground/run-summary-view";
import { usePlaygroundRun } from "@/components/playground/use-playground-run";
import { useProjectRole } from "@/components/shell/role-context";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { ErrorState, LoadingState } from "@/components/ui/states";
import { formatLocal, formatUsd } from "@/lib/metrics/format";
import { roleAtLeast } from "@/lib/projects/roles";
import { describeConfigIssue, ExperimentConfig, MAX_PANES, MIN_PANES, MAX_REPEAT, MIN_REPEAT, SYNCABLE, type ExperimentConfigInput, type SyncableField } from "@/lib/playground/config-schema";
import { CONFIRM_ABOVE_NANO_USD, estimateWorstCase } from "@/lib/playground/cost-estimate";
import { addPane, defaultConfig, duplicatePane, removePane, setPaneField, setSync, type PaneInput } from "@/lib/playground/editor-state";
import type { Experiment, Run } from "@/lib/playground/experiments";
import { summarizeRun } from "@/lib/playground/run-summary";
import { decodeConfig, encodeConfig, MAX_URL_CONFIG_CHARS } from "@/lib/playground/url-state";
import { nanoToUsd, PriceBook, type PriceRow } from "@/lib/pricing/compute-cost";

export type PriceRowJson = Omit<PriceRow, "effectiveFrom"> & { effectiveFrom: string };

const SYNC_LABELS: Record<SyncableField, string> = { system: "System prompt", promptCaching: "Prompt caching", responseCacheTtlSec: "Response cache", maxTokens: "max_tokens", tools: "Tools" };
const DRAFT_KEY = "pitwall-playground-draft";

export function PlaygroundClient({ projectSlug, models, prices, upstream }: { projectSlug: string; models: string[]; prices: PriceRowJson[]; upstream: "simulator" | "anthropic" | "custom" }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const role = useProjectRole();
  const canRun = roleAtLeast(role, "editor");
  const priceRows = useMemo(() => prices.map((p) => ({ ...p, effectiveFrom: new Date(p.effectiveFrom) })), [prices]);
  const book = useMemo(() => new PriceBook(priceRows), [priceRows]);

  const experimentParam = search.get("experiment");
  const [experiment, setExperiment] = useState<Experiment | null>(null);
  const [runs, setRuns] = useState<Run[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loading, setLoading] = useState(experimentParam !== null);
  const [config, setConfig] = useState<ExperimentConfigInput>(() => {
    const fromUrl = decodeConfig(search.get("c"));
    if (fromUrl) return fromUrl;
    if (search.get("draft") && typeof sessionStorage !== "undefined") {
      const draft = decodeConfig(sessionStorage.getItem(DRAFT_KEY));
      if (draft) return draft;
    }
    return defaultConfig(models);
  });
  const [n, setN] = useState(10);
  const [concurrency, setConcurrency] = useState(4);
  const [threshold, setThreshold] = useState(nanoToUsd(CONFIRM_ABOVE_NANO_USD));
  const [confirming, setConfirming] = useState<string | null>(null);
  const [selectedRun, setSelectedRun] = useState<string | null>(search.get("run"));
  const [compareRun, setCompareRun] = useState<string>("");

  // The experiment this page already holds: a run's own URL update must not reload it.
  const loaded = useRef<string | null>(null);
  const onExperiment = useCallback((e: Experiment) => {
    loaded.current = e.id;
    setExperiment(e);
  }, []);
  const onRun = useCallback((run: Run) => {
    setRuns((rs) => (rs.some((r) => r.id === run.id) ? rs.map((r) => (r.id === run.id ? run : r)) : [...rs, run]));
    setSelectedRun(String(run.seq));
  }, []);
  const { live, frames, state, start, stop, show } = usePlaygroundRun(projectSlug, onExperiment, onRun);
  // Stable across renders, so a pane's editor renders only when its own configuration changes.
  const onPaneField = useCallback(<K extends keyof PaneInput>(i: number, field: K, value: PaneInput[K]) => setConfig((c) => setPaneField(c, i, field, value)), []);
  const onPaneRemove = useCallback((i: number) => setConfig((c) => removePane(c, i)), []);
  const onPaneDuplicate = useCallback((i: number) => setConfig((c) => duplicatePane(c, i)), []);

  // Reopen an experiment from its link: its configuration (unless the URL carries an edited one) and runs.
  useEffect(() => {
    if (!experimentParam || loaded.current === experimentParam) return;
    loaded.current = experimentParam;
    let cancelled = false;
    fetchJson<{ experiment: Experiment; runs: Run[] }>(`/api/v1/playground/experiments/${encodeURIComponent(experimentParam)}?project=${encodeURIComponent(projectSlug)}`)
      .then((data) => {
        if (cancelled) return;
        setExperiment(data.experiment);
        setRuns(data.runs);
        if (!search.get("c")) setConfig(data.experiment.config);
        const wanted = data.runs.find((r) => String(r.seq) === search.get("run")) ?? data.runs.at(-1) ?? null;
        if (wanted) {
          setSelectedRun(String(wanted.seq));
          show(wanted, summarizeRun(wanted.calls, wanted.config.panes.map((p) => p.name)));
        }
        setLoadError(null);
      })
      .catch((err: unknown) => !cancelled && setLoadError(err))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
    // Loaded once per experiment id; later edits live in ?c=.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [experimentParam, projectSlug]);

  // Keep the configuration in the URL (or, when too long for a URL, in this tab's session storage).
  useEffect(() => {
    const params = new URLSearchParams();
    const id = experiment?.id ?? experimentParam;
    if (id) params.set("experiment", id);
    if (selectedRun) params.set("run", selectedRun);
    const encoded = encodeConfig(config);
    if (encoded.length <= MAX_URL_CONFIG_CHARS) params.set("c", encoded);
    else {
      sessionStorage.setItem(DRAFT_KEY, encoded);
      params.set("draft", "1");
    }
    const next = `${pathname}?${params.toString()}`;
    if (next !== `${pathname}?${search.toString()}`) router.replace(next, { scroll: false });
  }, [config, experiment?.id, experimentParam, selectedRun, pathname, router, search]);

  const parsed = useMemo(() => ExperimentConfig.safeParse(config), [config]);
  const problem = parsed.success ? null : describeConfigIssue(parsed.error);
  const readOnly = !canRun || state.running;

  const update = (next: ExperimentConfigInput) => setConfig(next);

  const estimate = useMemo(() => (parsed.success ? estimateWorstCase(parsed.data, n, priceRows) : null), [parsed, n, priceRows]);
  const runOnce = () => parsed.success && void start({ experimentId: experiment?.id ?? null, config: parsed.data, n: 1, concurrency: 1 });
  const runRepeated = (confirmed: boolean) => {
    if (!parsed.success || !estimate) return;
    const usd = nanoToUsd(estimate.worstCaseNanoUsd);
    if (!confirmed && usd > threshold) {
      setConfirming(`Run x ${n} may cost up to ${formatUsd(usd)} (N x max_tokens x price, plus input), above your ${formatUsd(threshold)} threshold.`);
      return;
    }
    setConfirming(null);
    void start({ experimentId: experiment?.id ?? null, config: parsed.data, n, concurrency });
  };
  const repeatProblem =
    !Number.isInteger(n) || n < MIN_REPEAT || n > MAX_REPEAT ? `N is from ${MIN_REPEAT} to ${MAX_REPEAT}.` : !Number.isInteger(concurrency) || concurrency < 1 ? "Concurrency is at least 1." : concurrency > n ? "Concurrency cannot be above N." : null;

  const shownRun = state.run ?? runs.find((r) => String(r.seq) === selectedRun) ?? null;
  const recordedByPane = useMemo(() => new Map((shownRun && shownRun.n === 1 ? shownRun.calls : []).map((c) => [c.pane, c])), [shownRun]);
  // The verdict's bootstrap is real work: once per shown run, not per render.
  // A run just closed comes with the server's summary: none is computed here for it.
  const storedSummary = useMemo(() => (shownRun && !state.summary ? summarizeRun(shownRun.calls, shownRun.config.panes.map((p) => p.name)) : null), [shownRun, state.summary]);
  const summary = state.summary ?? storedSummary;
  const compared = runs.find((r) => r.id === compareRun) ?? null;

  if (loading) return <LoadingState label="Opening the experiment…" />;
  if (loadError) return <ErrorState error={loadError} />;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Playground</h1>
        <Badge tone={upstream === "anthropic" ? "good" : "warn"} data-testid="playground-upstream">
          {upstream === "simulator" ? "Simulated upstream: answers come from the built-in simulator" : upstream === "anthropic" ? "Anthropic API" : "Custom upstream"}
        </Badge>
        {experiment ? (
          <span className="text-sm text-[var(--muted)]" data-testid="experiment-id">
            Experiment <span className="font-mono">{experiment.id}</span> ({experiment.name})
          </span>
        ) : null}
        <Link className="ml-auto text-sm underline" href={`/p/${projectSlug}/playground/experiments`}>
          All experiments
        </Link>
        {experiment ? (
          <Button variant="ghost" onClick={() => window.location.assign(`/p/${projectSlug}/playground`)}>
            New experiment
          </Button>
        ) : null}
      </div>
      {!canRun ? (
        <p className="rounded border border-[var(--border)] p-2 text-sm" data-testid="read-only-note">
          You are a viewer in this project: experiments are read-only. Editors and admins can run them.
        </p>
      ) : null}

      <Card className="flex flex-col gap-2">
        <Label htmlFor="playground-prompt">Prompt (shared by every pane)</Label>
        {(config.history ?? []).map((turn, i) => (
          <div key={i} className="flex gap-2">
            <Select aria-label={`Turn ${i + 1} role`} value={turn.role} disabled={readOnly} onChange={(e) => update({ ...config, history: config.history!.map((t, j) => (j === i ? { ...t, role: e.target.value as "user" | "assistant" } : t)) })}>
              <option value="user">user</option>
              <option value="assistant">assistant</option>
            </Select>
            <textarea aria-label={`Turn ${i + 1}`} className="flex-1 rounded-md border border-[var(--border)] bg-[var(--card)] px-2 py-1 text-sm" rows={1} value={turn.content} disabled={readOnly} onChange={(e) => update({ ...config, history: config.history!.map((t, j) => (j === i ? { ...t, content: e.target.value } : t)) })} />
            <Button variant="ghost" disabled={readOnly} onClick={() => update({ ...config, history: config.history!.filter((_, j) => j !== i) })}>
              Remove turn
            </Button>
          </div>
        ))}
        <textarea id="playground-prompt" className="w-full rounded-md border border-[var(--border)] bg-[var(--card)] px-2 py-1 text-sm" rows={3} value={config.prompt} disabled={readOnly} onChange={(e) => update({ ...config, prompt: e.target.value })} />
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <Button variant="ghost" disabled={readOnly} onClick={() => update({ ...config, history: [...(config.history ?? []), { role: (config.history ?? []).length % 2 === 0 ? "user" : "assistant", content: "" }] })}>
            Add an earlier turn
          </Button>
          <span className="text-[var(--muted)]">Share across panes:</span>
          {SYNCABLE.map((field) => (
            <label key={field} className="flex items-center gap-1">
              <input type="checkbox" checked={config.sync?.[field] === true} disabled={readOnly} onChange={(e) => update(setSync(config, field, e.target.checked))} />
              {SYNC_LABELS[field]}
            </label>
          ))}
        </div>
      </Card>

      <Card className="flex flex-wrap items-center gap-3">
        <Button variant="primary" onClick={runOnce} disabled={!canRun || state.running || !parsed.success} title={!canRun ? "Viewers cannot run experiments" : undefined}>
          Run
        </Button>
        <Button variant="danger" onClick={stop} disabled={!state.running}>
          Stop
        </Button>
        <span className="mx-2 h-6 w-px bg-[var(--border)]" />
        <label className="flex items-center gap-1 text-sm">
          N
          <Input aria-label="N" type="number" className="w-20" value={Number.isFinite(n) ? n : ""} disabled={readOnly} onChange={(e) => setN(Number(e.target.value))} />
        </label>
        <label className="flex items-center gap-1 text-sm">
          Concurrency
          <Input aria-label="Concurrency" type="number" className="w-20" value={Number.isFinite(concurrency) ? concurrency : ""} disabled={readOnly} onChange={(e) => setConcurrency(Number(e.target.value))} />
        </label>
        <Button onClick={() => runRepeated(false)} disabled={!canRun || state.running || !parsed.success || repeatProblem !== null}>
          Run x {Number.isFinite(n) ? n : "N"}
        </Button>
        <span className="text-sm text-[var(--muted)]" data-testid="cost-estimate">
          {estimate ? `worst case ${formatUsd(nanoToUsd(estimate.worstCaseNanoUsd))}${estimate.unpriced.length ? ` (unpriced: ${estimate.unpriced.join(", ")})` : ""}` : ""}
        </span>
        <label className="flex items-center gap-1 text-sm">
          confirm above $
          <Input aria-label="Confirmation threshold" type="number" step="0.5" className="w-20" value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} />
        </label>
        {config.panes.length < MAX_PANES ? (
          <Button variant="ghost" className="ml-auto" disabled={readOnly} onClick={() => update(addPane(config, models[0] ?? "claude-haiku-4-5"))}>
            Add pane
          </Button>
        ) : null}
        {problem ? (
          <p className="w-full text-sm text-red-600" role="alert" data-testid="config-error">
            {problem}
          </p>
        ) : null}
        {repeatProblem ? (
          <p className="w-full text-sm text-red-600" role="alert" data-testid="repeat-error">
            {repeatProblem}
          </p>
        ) : null}
        {state.error ? (
          <p className="w-full text-sm text-red-600" role="alert" data-testid="run-error">
            {state.error}
          </p>
        ) : null}
        {confirming ? (
          <div className="flex w-full items-center gap-2 rounded border border-amber-500/50 bg-amber-500/10 p-2 text-sm" role="alertdialog" data-testid="cost-confirm">
            {confirming}
            <Button variant="primary" onClick={() => runRepeated(true)}>
              Run anyway
            </Button>
            <Button variant="ghost" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
          </div>
        ) : null}
        {state.running && state.n > 1 ? (
          <div className="flex w-full items-center gap-2 text-sm" data-testid="run-progress">
            <progress className="h-2 flex-1" max={state.total} value={state.done} aria-label="Run x N progress" />
            {state.done} / {state.total}
            <Button variant="ghost" onClick={stop}>
              Cancel
            </Button>
          </div>
        ) : null}
      </Card>

      <datalist id="playground-models">
        {models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <div className="grid gap-3" style={{ gridTemplateColumns: `repeat(${config.panes.length}, minmax(0, 1fr))` }}>
        {config.panes.map((pane, i) => (
          <PaneCard
            key={i}
            pane={pane}
            index={i}
            models={models}
            readOnly={readOnly}
            canRemove={config.panes.length > MIN_PANES}
            canDuplicate={config.panes.length < MAX_PANES}
            liveRef={live}
            frames={frames}
            book={book}
            recorded={state.running ? undefined : recordedByPane.get(pane.name)}
            onField={onPaneField}
            onRemove={onPaneRemove}
            onDuplicate={onPaneDuplicate}
          />
        ))}
      </div>

      {runs.length > 0 ? (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <label className="flex items-center gap-1">
            Run
            <Select aria-label="Run" value={selectedRun ?? ""} onChange={(e) => {
              setSelectedRun(e.target.value);
              const r = runs.find((x) => String(x.seq) === e.target.value) ?? null;
              show(r, r ? summarizeRun(r.calls, r.config.panes.map((p) => p.name)) : null);
            }}>
              {runs.map((r) => (
                <option key={r.id} value={String(r.seq)}>
                  #{r.seq} {r.n > 1 ? `x ${r.n}` : "single"} · {formatLocal(r.createdAt)}
                </option>
              ))}
            </Select>
          </label>
          <label className="flex items-center gap-1">
            Compare with
            <Select aria-label="Compare with" value={compareRun} onChange={(e) => setCompareRun(e.target.value)}>
              <option value="">none</option>
              {runs.filter((r) => String(r.seq) !== selectedRun).map((r) => (
                <option key={r.id} value={r.id}>
                  #{r.seq} {r.n > 1 ? `x ${r.n}` : "single"}
                </option>
              ))}
            </Select>
          </label>
          {experiment ? (
            <>
              <a className="underline" href={`/api/v1/playground/experiments/${experiment.id}/export?project=${projectSlug}&format=json`} data-testid="export-json">
                Export JSON
              </a>
              <a className="underline" href={`/api/v1/playground/experiments/${experiment.id}/export?project=${projectSlug}&format=csv`} data-testid="export-csv">
                Export CSV
              </a>
              <a className="underline" href={`/p/${projectSlug}/playground?experiment=${experiment.id}${selectedRun ? `&run=${selectedRun}` : ""}`} data-testid="share-link">
                Link to this run
              </a>
            </>
          ) : null}
        </div>
      ) : null}

      {summary && shownRun && shownRun.n > 1 ? <RunSummaryView summary={summary} calls={shownRun.calls} title={`Run #${shownRun.seq}: ${shownRun.n} runs per pane, concurrency ${shownRun.concurrency}`} /> : null}
      {compared && compared.n > 1 ? (
        <RunSummaryView summary={summarizeRun(compared.calls, compared.config.panes.map((p) => p.name))} calls={compared.calls} title={`Earlier run #${compared.seq}: ${compared.n} runs per pane`} />
      ) : compared ? (
        <p className="text-sm text-[var(--muted)]">Run #{compared.seq} was a single race: {compared.calls.map((c) => `${c.pane} ${c.ttftMs === null ? "—" : Math.round(c.ttftMs)} ms TTFT`).join(", ")}.</p>
      ) : null}
    </div>
  );
}
