"use client";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { clientTtlChoice, clientTtlValue, formatList, formatTags, getIn, issuesAt, numberField, parseList, parseTagText, splitTotal, ttlParts, ttlSeconds, TTL_UNITS, type TtlUnit } from "@/lib/policies/policy-form";
import type { Issue } from "@/lib/policies/policy-text";
import { FieldIssues, SelectField, TextField } from "./fields";

type Obj = Record<string, unknown>;
type Path = (string | number)[];
export type Edit = (path: Path, value: unknown) => void;

type Common = { value: Obj; at: string; issues: readonly Issue[]; edit: Edit; readOnly: boolean };

/** The id of the page's <datalist> of priced models (the model pickers). */
export const MODELS_LIST = "policy-models";

const at = (base: string, ...rest: (string | number)[]) => [base, ...rest].filter((p) => p !== "").join(".");

function RangeFields({ label, value, path, base, issues, edit, readOnly, testId }: { label: string; value: unknown; path: Path; base: string; issues: readonly Issue[]; edit: Edit; readOnly: boolean; testId: string }) {
  const range = (value ?? {}) as { min?: number; max?: number };
  const set = (bound: "min" | "max", text: string) => {
    const next = { ...range, [bound]: numberField(text) };
    if (next[bound] === undefined) delete next[bound];
    edit(path, Object.keys(next).length === 0 ? undefined : next);
  };
  return (
    <div className="min-w-0">
      <div className="grid grid-cols-2 gap-1">
        <TextField label={`${label} min`} type="number" text={range.min?.toString() ?? ""} onText={(t) => set("min", t)} readOnly={readOnly} testId={`${testId}-min`} />
        <TextField label={`${label} max`} type="number" text={range.max?.toString() ?? ""} onText={(t) => set("max", t)} readOnly={readOnly} testId={`${testId}-max`} />
      </div>
      <FieldIssues issues={issuesAt(issues, base)} />
    </div>
  );
}

function TagsField({ value, path, base, issues, edit, readOnly, testId }: { value: unknown; path: Path; base: string; issues: readonly Issue[]; edit: Edit; readOnly: boolean; testId: string }) {
  const parsedError = (text: string) => parseTagText(text).error;
  return (
    <TextField
      label="Tags (all must be present)"
      text={formatTags(value)}
      placeholder="team=support, env=prod"
      readOnly={readOnly}
      testId={testId}
      issues={issuesAt(issues, base)}
      onText={(t) => {
        const parsed = parseTagText(t);
        // A half-typed pair keeps the last good tags rather than dropping them.
        if (!parsedError(t)) edit(path, parsed.tags);
      }}
    />
  );
}

/** Match fields of a routing rule: route, agent, tags, requested model, token and message ranges, tools. */
export function RoutingMatchFields({ value, at: base, issues, edit, readOnly, testId }: Common & { testId: string }) {
  const m = (value ?? {}) as Obj;
  const p = (k: string) => at(base, k);
  return (
    <div className="grid grid-cols-2 gap-2 md:grid-cols-3">
      <TextField label="Route (x-pitwall-route)" text={formatList(m.route)} placeholder="any; support, faq-*" onText={(t) => edit(["route"], parseList(t))} issues={issuesAt(issues, p("route"))} readOnly={readOnly} testId={`${testId}-route`} />
      <TextField label="Agent (x-pitwall-agent)" text={formatList(m.agent)} placeholder="any; planner-*" onText={(t) => edit(["agent"], parseList(t))} issues={issuesAt(issues, p("agent"))} readOnly={readOnly} testId={`${testId}-agent`} />
      <TagsField value={m.tags} path={["tags"]} base={p("tags")} issues={issues} edit={edit} readOnly={readOnly} testId={`${testId}-tags`} />
      <TextField label="Requested model (glob)" text={formatList(m.requestedModel)} placeholder="any; claude-opus-*" list={MODELS_LIST} onText={(t) => edit(["requestedModel"], parseList(t))} issues={issuesAt(issues, p("requestedModel"))} readOnly={readOnly} testId={`${testId}-requested-model`} />
      <RangeFields label="Input tokens" value={m.inputTokens} path={["inputTokens"]} base={p("inputTokens")} issues={issues} edit={edit} readOnly={readOnly} testId={`${testId}-input-tokens`} />
      <RangeFields label="Messages" value={m.messageCount} path={["messageCount"]} base={p("messageCount")} issues={issues} edit={edit} readOnly={readOnly} testId={`${testId}-messages`} />
      <SelectField
        label="Tools"
        value={m.hasTools === true ? "yes" : m.hasTools === false ? "no" : "any"}
        options={[
          { value: "any", label: "any" },
          { value: "yes", label: "offers tools" },
          { value: "no", label: "no tools" },
        ]}
        disabled={readOnly}
        onValue={(v) => edit(["hasTools"], v === "any" ? undefined : v === "yes")}
      />
    </div>
  );
}

type ServeMode = "pass" | "model" | "split";

/** What a matched request gets: a model or a split, fallbacks, retry budget, cap, prompt caching. */
export function RoutingActionFields({ value, at: base, issues, edit, readOnly, testId }: Common & { testId: string }) {
  const a = (value ?? {}) as Obj;
  const p = (...k: (string | number)[]) => at(base, ...k);
  const mode: ServeMode = a.split ? "split" : a.model !== undefined ? "model" : "pass";
  const arms = (getIn(a, ["split", "arms"]) as Obj[] | undefined) ?? [];
  const total = splitTotal(arms);
  const fallbacks = (a.fallbacks as string[] | undefined) ?? [];
  const caching = a.promptCaching as { enabled?: boolean; ttl?: string } | undefined;
  return (
    <div className="flex flex-col gap-2">
      <div className="grid grid-cols-2 gap-2 md:grid-cols-3">
        <SelectField<ServeMode>
          label="Serve with"
          value={mode}
          testId={`${testId}-mode`}
          disabled={readOnly}
          options={[
            { value: "pass", label: "the requested model" },
            { value: "model", label: "a model" },
            { value: "split", label: "a split (canary)" },
          ]}
          onValue={(v) => {
            if (v === "pass") {
              edit(["model"], undefined);
              edit(["split"], undefined);
            } else if (v === "model") {
              edit(["split"], undefined);
              edit(["model"], typeof a.model === "string" ? a.model : "");
            } else {
              edit(["model"], undefined);
              const first = typeof a.model === "string" && a.model ? a.model : "claude-sonnet-4-5";
              edit(["split"], { arms: [{ model: first, weight: 90 }, { model: "", weight: 10 }], sticky: true });
            }
          }}
        />
        {mode === "model" ? (
          <TextField label="Model" text={String(a.model ?? "")} list={MODELS_LIST} onText={(t) => edit(["model"], t)} issues={issuesAt(issues, p("model"))} readOnly={readOnly} testId={`${testId}-model`} />
        ) : null}
        <TextField label="max_tokens cap" type="number" text={a.maxTokensCap?.toString() ?? ""} placeholder="no cap" onText={(t) => edit(["maxTokensCap"], numberField(t))} issues={issuesAt(issues, p("maxTokensCap"))} readOnly={readOnly} testId={`${testId}-cap`} />
        <SelectField
          label="Prompt caching"
          value={caching?.enabled ? (caching.ttl === "1h" ? "1h" : "5m") : "off"}
          testId={`${testId}-prompt-caching`}
          disabled={readOnly}
          options={[
            { value: "off", label: "off" },
            { value: "5m", label: "on, 5 minutes" },
            { value: "1h", label: "on, 1 hour" },
          ]}
          onValue={(v) => edit(["promptCaching"], v === "off" ? undefined : { enabled: true, ttl: v })}
        />
      </div>
      {mode === "split" ? (
        <div className="rounded-md border border-[var(--border)] p-2" data-testid={`${testId}-split`}>
          <div className="mb-1 flex items-center gap-2 text-xs">
            <span className="font-medium">Split arms</span>
            <span data-testid={`${testId}-split-total`} className={cn("rounded px-1.5", total === 100 ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-200" : "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-200")}>
              total {total}% {total === 100 ? "" : "(must be 100)"}
            </span>
            <label className="ml-auto flex items-center gap-1">
              <input type="checkbox" checked={Boolean(getIn(a, ["split", "sticky"]))} disabled={readOnly} onChange={(e) => edit(["split", "sticky"], e.target.checked)} />
              sticky per session
            </label>
          </div>
          {arms.map((arm, i) => (
            <div key={i} className="flex items-end gap-2">
              <TextField className="flex-1" label={`Arm ${i + 1} model`} text={String(arm.model ?? "")} list={MODELS_LIST} onText={(t) => edit(["split", "arms", i, "model"], t)} issues={issuesAt(issues, p("split", "arms", i, "model"))} readOnly={readOnly} testId={`${testId}-arm-${i}-model`} />
              <TextField className="w-24" label="Weight %" type="number" text={arm.weight?.toString() ?? ""} onText={(t) => edit(["split", "arms", i, "weight"], numberField(t))} issues={issuesAt(issues, p("split", "arms", i, "weight"))} readOnly={readOnly} testId={`${testId}-arm-${i}-weight`} />
              {!readOnly && arms.length > 1 ? (
                <Button variant="ghost" aria-label={`Remove arm ${i + 1}`} onClick={() => edit(["split", "arms"], arms.filter((_, j) => j !== i))}>
                  ✕
                </Button>
              ) : null}
            </div>
          ))}
          <FieldIssues issues={issues.filter((i) => i.path === p("split", "arms") || i.path === p("split"))} />
          {!readOnly && arms.length < 10 ? (
            <Button variant="ghost" className="mt-1 text-xs" onClick={() => edit(["split", "arms"], [...arms, { model: "", weight: Math.max(0, 100 - total) }])}>
              + arm
            </Button>
          ) : null}
        </div>
      ) : null}
      <div className="rounded-md border border-[var(--border)] p-2">
        <div className="mb-1 text-xs font-medium">Fallback chain (on 429/529/5xx/timeout before the first byte)</div>
        <ol className="flex flex-col gap-1">
          {fallbacks.map((m, i) => (
            <li key={i} className="flex items-end gap-2">
              <TextField className="flex-1" label={`Fallback ${i + 1}`} text={m} list={MODELS_LIST} onText={(t) => edit(["fallbacks", i], t)} issues={issuesAt(issues, p("fallbacks", i))} readOnly={readOnly} testId={`${testId}-fallback-${i}`} />
              {!readOnly ? (
                <Button variant="ghost" aria-label={`Remove fallback ${i + 1}`} onClick={() => edit(["fallbacks"], fallbacks.length > 1 ? fallbacks.filter((_, j) => j !== i) : undefined)}>
                  ✕
                </Button>
              ) : null}
            </li>
          ))}
        </ol>
        <div className="mt-1 flex items-end gap-2">
          {!readOnly && fallbacks.length < 5 ? (
            <Button variant="ghost" className="text-xs" data-testid={`${testId}-add-fallback`} onClick={() => edit(["fallbacks"], [...fallbacks, ""])}>
              + fallback
            </Button>
          ) : null}
          {fallbacks.length > 0 ? (
            <TextField className="w-40" label="Retry budget (ms)" type="number" text={a.retryBudgetMs?.toString() ?? ""} placeholder="10000" onText={(t) => edit(["retryBudgetMs"], numberField(t))} issues={issuesAt(issues, p("retryBudgetMs"))} readOnly={readOnly} />
          ) : null}
        </div>
        <FieldIssues issues={issues.filter((i) => i.path === p("fallbacks"))} />
      </div>
      <FieldIssues issues={issues.filter((i) => i.path === base)} />
    </div>
  );
}

/** A cache TTL with units, and who may share the entries. */
export function CacheSettingFields({ value, at: base, issues, edit, readOnly, testId }: Common & { testId: string }) {
  const v = (value ?? {}) as Obj;
  const parts = ttlParts(v.ttlSec);
  return (
    <div className="grid grid-cols-2 gap-2 md:grid-cols-3">
      <div className="flex items-end gap-1">
        <TextField className="flex-1" label="TTL (0 = off)" type="number" text={parts.value} onText={(t) => edit(["ttlSec"], ttlSeconds(t, parts.unit))} issues={issuesAt(issues, at(base, "ttlSec"))} readOnly={readOnly} testId={`${testId}-ttl`} />
        <SelectField<TtlUnit>
          label="Unit"
          value={parts.unit}
          testId={`${testId}-ttl-unit`}
          disabled={readOnly}
          options={TTL_UNITS.map((u) => ({ value: u.unit, label: u.label }))}
          onValue={(unit) => edit(["ttlSec"], ttlSeconds(parts.value || "0", unit))}
        />
      </div>
      <SelectField
        label="Key scope"
        value={v.scope === "user" ? "user" : "project"}
        testId={`${testId}-scope`}
        disabled={readOnly}
        options={[
          { value: "project", label: "project (shared)" },
          { value: "user", label: "user (metadata.user_id)" },
        ]}
        onValue={(s) => edit(["scope"], s)}
      />
    </div>
  );
}

export function CacheMatchFields({ value, at: base, issues, edit, readOnly, testId }: Common & { testId: string }) {
  const m = (value ?? {}) as Obj;
  return (
    <div className="grid grid-cols-2 gap-2 md:grid-cols-3">
      <TextField label="Route" text={formatList(m.route)} placeholder="any; faq" onText={(t) => edit(["route"], parseList(t))} issues={issuesAt(issues, at(base, "route"))} readOnly={readOnly} testId={`${testId}-route`} />
      <TextField label="Served model (glob)" text={formatList(m.model)} placeholder="any; claude-haiku-*" list={MODELS_LIST} onText={(t) => edit(["model"], parseList(t))} issues={issuesAt(issues, at(base, "model"))} readOnly={readOnly} testId={`${testId}-model`} />
      <TagsField value={m.tags} path={["tags"]} base={at(base, "tags")} issues={issues} edit={edit} readOnly={readOnly} testId={`${testId}-tags`} />
    </div>
  );
}

/**
 * The cache policy's `clientTtl`: what a caller's x-pitwall-cache-ttl header may do. A value the
 * schema refuses (typed in the JSON view) shows as "invalid" with its issue until it is fixed.
 */
export function ClientTtlField({ value, issues, edit, readOnly }: { value: unknown; issues: readonly Issue[]; edit: (value: unknown) => void; readOnly: boolean }) {
  const choice = clientTtlChoice(value);
  const own = issuesAt(issues, "clientTtl");
  return (
    <div className="min-w-0 max-w-xl">
      <SelectField<"lower" | "any" | "invalid">
        label="Caller's TTL header (x-pitwall-cache-ttl)"
        value={choice}
        testId="policy-client-ttl"
        disabled={readOnly}
        options={[
          { value: "lower", label: "may only lower the TTL or turn caching off (default)" },
          { value: "any", label: "may set any TTL, up to 30 days (turns caching on)" },
          ...(choice === "invalid" ? [{ value: "invalid" as const, label: `invalid: ${JSON.stringify(value).slice(0, 40)}` }] : []),
        ]}
        onValue={(v) => v !== "invalid" && edit(clientTtlValue(v))}
      />
      <p className="mt-0.5 text-[11px] text-[var(--muted)]" data-testid="policy-client-ttl-hint">
        {choice === "any"
          ? "Any caller that sends the header chooses how long its answers are kept, even where this policy gives 0."
          : "No caller can switch the cache on or keep answers longer than this policy says."}
      </p>
      <FieldIssues issues={own} />
    </div>
  );
}
