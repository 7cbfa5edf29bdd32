"use client";

import { memo, useSyncExternalStore, type RefObject } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { formatMs, formatUsd } from "@/lib/metrics/format";
import { parseToolsJson, PROMPT_CACHING } from "@/lib/playground/config-schema";
import type { PaneInput } from "@/lib/playground/editor-state";
import type { CallMeasurement } from "@/lib/playground/measurement";
import { figuresOf, type PaneLive } from "@/lib/playground/pane-stream";
import { costNanoUsd, nanoToUsd, promptTokens, type PriceBook } from "@/lib/pricing/compute-cost";
import type { FrameStore } from "./frame-store";

const textArea = "w-full rounded-md border border-[var(--border)] bg-[var(--card)] px-2 py-1 text-sm font-mono";

function parseTags(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function tagsText(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/**
 * The token-arrival timeline: one tick per delta over the stream's span; gaps are stalls. One
 * path, not an element per tick: a frame redraws one attribute, however many deltas came.
 */
function Timeline({ arrivals }: { arrivals: PaneLive["arrivals"] }) {
  if (arrivals.length === 0) return <div className="h-6 rounded bg-[var(--border)]/40" data-testid="pane-timeline" />;
  const span = Math.max(1, arrivals.at(-1)!.atMs);
  let d = "";
  for (const a of arrivals) d += `M${((a.atMs / span) * 99.5).toFixed(2)} 1h0.5v8h-0.5z`;
  return (
    <svg className="h-6 w-full rounded bg-[var(--border)]/40" viewBox="0 0 100 10" preserveAspectRatio="none" data-testid="pane-timeline" aria-label={`${arrivals.length} deltas over ${Math.round(span)} ms`}>
      <path d={d} fill="var(--accent)" />
    </svg>
  );
}

function Figure({ label, value, testId, title }: { label: string; value: string; testId?: string; title?: string }) {
  return (
    <div title={title}>
      <div className="text-[10px] uppercase tracking-wide text-[var(--muted)]">{label}</div>
      <div className="font-mono text-sm" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

type PaneEditorProps = {
  pane: PaneInput;
  index: number;
  models: string[];
  readOnly: boolean;
  canRemove: boolean;
  canDuplicate: boolean;
  /** Stable callbacks taking the pane's index, so the editor skips every frame of a run. */
  onField: <K extends keyof PaneInput>(index: number, field: K, value: PaneInput[K]) => void;
  onRemove: (index: number) => void;
  onDuplicate: (index: number) => void;
};

export type PaneCardProps = PaneEditorProps & {
  /** The live calls by pane name (mutated by the stream readers) and the frame clock to draw them at. */
  liveRef: RefObject<Record<string, PaneLive>>;
  frames: FrameStore;
  /** Prices, for the live call's cost until the recorded figure arrives. */
  book: PriceBook;
  /** The recorded call of the last single run, once stored (its TTFT and cost are the pane's). */
  recorded: CallMeasurement | undefined;
};

/** The pane's name, buttons and configuration: renders when the configuration changes, not per frame. */
const PaneEditor = memo(function PaneEditor(p: PaneEditorProps) {
  const { pane, index: i } = p;
  const target = pane.target ?? { kind: "model" as const };
  const tools = parseToolsJson(pane.tools ?? "");
  const unknownModel = pane.model !== "" && !p.models.includes(pane.model);
  const ro = p.readOnly;
  const onChange = <K extends keyof PaneInput>(field: K, value: PaneInput[K]) => p.onField(i, field, value);
  return (
    <>
      <div className="flex items-center gap-2">
        <Input aria-label="Pane name" value={pane.name} disabled={ro} onChange={(e) => onChange("name", e.target.value)} className="w-28 font-semibold" />
        <div className="ml-auto flex gap-1">
          <Button variant="ghost" disabled={ro || !p.canDuplicate} onClick={() => p.onDuplicate(i)} title="Duplicate this pane">
            Duplicate
          </Button>
          <Button variant="ghost" disabled={ro || !p.canRemove} onClick={() => p.onRemove(i)} title="Remove this pane">
            Remove
          </Button>
        </div>
      </div>

      <details open className="text-sm">
        <summary className="cursor-pointer text-[var(--muted)]">Configuration</summary>
        <div className="mt-2 grid gap-2">
          <div>
            <Label>Target</Label>
            <Select
              aria-label="Target"
              value={target.kind}
              disabled={ro}
              onChange={(e) => onChange("target", e.target.value === "policy" ? { kind: "policy", route: "", agent: "", tags: {} } : { kind: "model" })}
            >
              <option value="model">This model</option>
              <option value="policy">Follow the routing policy</option>
            </Select>
          </div>
          <div>
            <Label>{target.kind === "policy" ? "Model asked for (a rule may change it)" : "Model"}</Label>
            <Input aria-label="Model" list="playground-models" value={pane.model} disabled={ro} onChange={(e) => onChange("model", e.target.value.trim())} />
            {unknownModel ? (
              <p className="mt-1 text-xs text-amber-700 dark:text-amber-300" data-testid="pane-model-warning">
                {pane.model} is not in the price table: the call still runs, and the upstream decides.
              </p>
            ) : null}
          </div>
          {target.kind === "policy" ? (
            <div className="grid grid-cols-3 gap-2">
              <Input aria-label="Route" placeholder="route" value={target.route ?? ""} disabled={ro} onChange={(e) => onChange("target", { ...target, route: e.target.value })} />
              <Input aria-label="Agent" placeholder="agent" value={target.agent ?? ""} disabled={ro} onChange={(e) => onChange("target", { ...target, agent: e.target.value })} />
              <Input aria-label="Tags" placeholder="k=v,k=v" defaultValue={tagsText(target.tags)} disabled={ro} onBlur={(e) => onChange("target", { ...target, tags: parseTags(e.target.value) })} />
            </div>
          ) : null}
          <div>
            <Label>System prompt</Label>
            <textarea aria-label="System prompt" className={textArea} rows={2} value={pane.system ?? ""} disabled={ro} onChange={(e) => onChange("system", e.target.value)} />
          </div>
          <div className="grid grid-cols-3 gap-2">
            <div>
              <Label>Prompt caching</Label>
              <Select aria-label="Prompt caching" value={pane.promptCaching ?? "off"} disabled={ro} onChange={(e) => onChange("promptCaching", e.target.value as PaneInput["promptCaching"])}>
                {PROMPT_CACHING.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </Select>
            </div>
            <div>
              <Label>Response cache</Label>
              <Select
                aria-label="Response cache"
                value={pane.responseCacheTtlSec === null ? "policy" : pane.responseCacheTtlSec === 0 || pane.responseCacheTtlSec === undefined ? "off" : String(pane.responseCacheTtlSec)}
                disabled={ro}
                onChange={(e) => onChange("responseCacheTtlSec", e.target.value === "policy" ? null : e.target.value === "off" ? 0 : Number(e.target.value))}
              >
                <option value="off">off</option>
                <option value="policy">cache policy</option>
                <option value="300">5 min</option>
                <option value="3600">1 h</option>
                <option value="86400">1 day</option>
              </Select>
            </div>
            <div>
              <Label>max_tokens</Label>
              <Input aria-label="max_tokens" type="number" value={Number.isFinite(pane.maxTokens) ? pane.maxTokens : ""} disabled={ro} onChange={(e) => onChange("maxTokens", e.target.value === "" ? Number.NaN : Number(e.target.value))} />
            </div>
          </div>
          <div>
            <Label>Tools (JSON)</Label>
            <textarea aria-label="Tools" className={textArea} rows={2} placeholder='[{"name":"get_weather","input_schema":{"type":"object"}}]' value={pane.tools ?? ""} disabled={ro} onChange={(e) => onChange("tools", e.target.value)} />
            {!tools.ok ? (
              <p className="mt-1 text-xs text-red-600" role="alert" data-testid="pane-tools-error">
                {tools.message}
              </p>
            ) : null}
          </div>
        </div>
      </details>
    </>
  );
});

/**
 * A pane: its editor, and the live call drawn once per animation frame (it subscribes to the
 * frame clock itself, so a frame renders the pane cards and nothing else on the page).
 */
export const PaneCard = memo(function PaneCard(p: PaneCardProps) {
  const now = useSyncExternalStore(p.frames.subscribe, p.frames.get, () => 0);
  const { pane, recorded } = p;
  const live = p.liveRef.current[pane.name];
  const f = live ? figuresOf(live, now) : null;
  const ttft = recorded?.ttftMs ?? f?.ttftMs ?? null;
  const price = live ? p.book.find(live.servedModel ?? pane.model, new Date(), promptTokens(live.usage)) : undefined;
  const liveCostNano = live && price ? costNanoUsd(price, { ...live.usage, outputTokens: Math.max(live.usage.outputTokens, Math.ceil(live.outputChars / 4)) }) : null;
  const cost = recorded ? nanoToUsd(BigInt(recorded.costNanoUsd)) : liveCostNano !== null ? nanoToUsd(liveCostNano) : null;
  const usage = recorded ?? live?.usage;
  const cacheStatus = recorded?.responseCache ?? live?.responseCache?.toLowerCase() ?? null;
  const served = recorded?.model ?? live?.servedModel ?? null;

  return (
    <Card className="flex min-w-0 flex-col gap-3" data-pane={pane.name} data-live-ttft={f?.ttftMs ?? undefined} data-event-id={live?.eventId ?? recorded?.eventId ?? undefined} data-deltas={live?.arrivals.length ?? undefined} data-status={live?.status ?? (recorded ? (recorded.status === "ok" ? "done" : recorded.status) : "idle")}>
      <PaneEditor pane={pane} index={p.index} models={p.models} readOnly={p.readOnly} canRemove={p.canRemove} canDuplicate={p.canDuplicate} onField={p.onField} onRemove={p.onRemove} onDuplicate={p.onDuplicate} />

      <div className="grid grid-cols-4 gap-2 border-t border-[var(--border)] pt-2">
        <Figure label="TTFT" value={formatMs(ttft)} testId="pane-ttft" title={f?.browserTtftMs != null ? `As the gateway records it (arrival to first token). This browser saw ${formatMs(f.browserTtftMs)} from sending.` : undefined} />
        <Figure label="Elapsed" value={formatMs(recorded?.latencyMs ?? f?.elapsedMs ?? null)} testId="pane-elapsed" />
        <Figure label="Output tok/s" value={f?.outputTokensPerSec ? f.outputTokensPerSec.toFixed(0) : "—"} testId="pane-tps" />
        <Figure label="Cost" value={cost === null ? "—" : formatUsd(cost)} testId="pane-cost" />
        <Figure label="Input" value={String(usage?.inputTokens ?? "—")} testId="pane-input-tokens" />
        <Figure label="Cache read" value={String(usage?.cacheReadTokens ?? "—")} testId="pane-cache-read" />
        <Figure label="Write 5m/1h" value={usage ? `${usage.cacheWrite5mTokens}/${usage.cacheWrite1hTokens}` : "—"} testId="pane-cache-write" />
        <Figure label="Output" value={String(recorded?.outputTokens ?? f?.outputTokens ?? "—")} testId="pane-output-tokens" />
      </div>
      <div className="flex flex-wrap items-center gap-2 text-xs">
        {served ? <Badge data-testid="pane-served-model">{served}</Badge> : null}
        {cacheStatus ? (
          <Badge tone={cacheStatus === "hit" ? "good" : "neutral"} data-testid="pane-response-cache">
            response cache: {cacheStatus}
          </Badge>
        ) : null}
        {live ? <Badge tone={live.status === "error" ? "bad" : live.status === "aborted" ? "warn" : "info"} data-testid="pane-status">{live.status}</Badge> : null}
        {recorded ? <span className="text-[var(--muted)]">recorded as {recorded.eventId}</span> : null}
        {f?.maxGapMs ? <span className="text-[var(--muted)]">longest gap {formatMs(f.maxGapMs)}</span> : null}
      </div>
      <Timeline arrivals={live?.arrivals ?? []} />
      {live?.error ? (
        <p className="rounded border border-red-500/40 bg-red-500/10 p-2 text-sm" role="alert" data-testid="pane-error">
          {live.error}
        </p>
      ) : null}
      <div className="min-h-24 whitespace-pre-wrap rounded-md bg-[var(--border)]/30 p-2 text-sm" data-testid="pane-output" aria-live="off">
        {live?.text ?? ""}
      </div>
    </Card>
  );
});
