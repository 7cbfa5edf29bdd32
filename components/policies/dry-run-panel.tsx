"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, fetchJson } from "@/components/auth/fetch-json";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Select } from "@/components/ui/input";
import type { DryRunResult } from "@/lib/gateway/policy-dry-run";
import type { EventDetail, EventPage } from "@/lib/metrics/event-list";
import { requestFromEvent } from "@/lib/policies/event-request";
import { parseTagText } from "@/lib/policies/policy-form";
import type { Kind } from "@/lib/policies/policy-text";
import { TextField } from "./fields";

const SAMPLE = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "How do I reset my password?" }] }, null, 2);

const FIELD_LABEL: Record<string, string> = {
  route: "route",
  agent: "agent",
  requestedModel: "requested model",
  hasTools: "tools",
  inputTokens: "input tokens",
  messageCount: "message count",
  tags: "tags",
  model: "served model",
};

function usd(n: number | null): string {
  if (n === null) return "unpriced";
  return n < 0.01 ? `$${n.toFixed(6)}` : `$${n.toFixed(4)}`;
}

/** Paste a Messages request (or pick a recent event) and see what the gateway would do with it. */
export function DryRunPanel({ projectSlug, kind, draft }: { projectSlug: string; kind: Kind; draft: unknown | null }) {
  const [requestText, setRequestText] = useState(SAMPLE);
  const [route, setRoute] = useState("");
  const [agent, setAgent] = useState("");
  const [tags, setTags] = useState("");
  const [useDraft, setUseDraft] = useState(true);
  const [fromEvent, setFromEvent] = useState<string | null>(null);
  const q = encodeURIComponent(projectSlug);
  const events = useQuery({
    queryKey: ["policy-dry-run-events", projectSlug],
    queryFn: () => fetchJson<EventPage>(`/api/v1/events/list?project=${q}&kind=llm&limit=20`),
  });
  const run = useMutation({
    mutationFn: async () => {
      let request: unknown;
      try {
        request = JSON.parse(requestText);
      } catch {
        throw new ApiError("The request is not valid JSON.", 400);
      }
      const parsedTags = parseTagText(tags);
      if (parsedTags.error) throw new ApiError(`Tags: ${parsedTags.error}`, 400);
      return fetchJson<DryRunResult>(`/api/v1/policies/${kind}/dry-run?project=${q}`, {
        method: "POST",
        json: {
          request,
          ...(route ? { route } : {}),
          ...(agent ? { agent } : {}),
          ...(parsedTags.tags ? { tags: parsedTags.tags } : {}),
          ...(useDraft && draft ? { document: draft } : {}),
        },
      });
    },
  });
  const pick = async (id: string) => {
    if (!id) return;
    const detail = await fetchJson<EventDetail>(`/api/v1/events/detail?project=${q}&id=${encodeURIComponent(id)}`);
    const shaped = requestFromEvent(detail);
    setRequestText(JSON.stringify(shaped.request, null, 2));
    setRoute(shaped.route ?? "");
    setAgent(shaped.agent ?? "");
    setTags(Object.entries(shaped.tags).map(([k, v]) => `${k}=${v}`).join(", "));
    setFromEvent(id);
  };
  const r = run.data;
  return (
    <Card className="flex flex-col gap-2" data-testid="policy-dry-run">
      <h2 className="text-sm font-semibold">Dry-run</h2>
      <p className="text-xs text-[var(--muted)]">Runs the gateway&apos;s own routing and cache decision on a request; nothing is sent or recorded.</p>
      <div className="flex items-center gap-2 text-xs">
        <label htmlFor="dry-run-event">Recent event</label>
        <Select id="dry-run-event" className="min-w-0 flex-1 py-1 text-xs" value={fromEvent ?? ""} onChange={(e) => void pick(e.target.value)} data-testid="dry-run-event">
          <option value="">{events.isLoading ? "loading…" : events.data?.events.length ? "pick one to fill the form" : "no recent events"}</option>
          {events.data?.events.map((e) => (
            <option key={e.id} value={e.id}>
              {e.ts.slice(11, 19)} {e.route ?? "-"} {e.agent ?? ""} {e.model ?? ""}
            </option>
          ))}
        </Select>
      </div>
      {fromEvent ? <p className="text-[11px] text-[var(--muted)]">Shaped like event {fromEvent}: its model, route, agent, tags, counts and size (the prompt text is not stored).</p> : null}
      <label htmlFor="dry-run-request" className="text-xs font-medium text-[var(--muted)]">
        Messages API request
      </label>
      <textarea
        id="dry-run-request"
        data-testid="dry-run-request"
        spellCheck={false}
        value={requestText}
        onChange={(e) => setRequestText(e.target.value)}
        className="h-36 w-full resize-y rounded-md border border-[var(--border)] bg-[var(--background)] p-2 font-mono text-xs"
      />
      <div className="grid grid-cols-3 gap-2">
        <TextField label="Route" text={route} onText={setRoute} testId="dry-run-route" />
        <TextField label="Agent" text={agent} onText={setAgent} testId="dry-run-agent" />
        <TextField label="Tags" text={tags} onText={setTags} placeholder="k=v, k=v" testId="dry-run-tags" />
      </div>
      <div className="flex items-center gap-3 text-xs">
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={useDraft && draft !== null} disabled={draft === null} onChange={(e) => setUseDraft(e.target.checked)} data-testid="dry-run-use-draft" />
          {draft === null ? "against the live version (no valid draft)" : "against my draft"}
        </label>
        <Button variant="primary" className="ml-auto" data-testid="dry-run-submit" disabled={run.isPending} onClick={() => run.mutate()}>
          {run.isPending ? "Running…" : "Dry-run"}
        </Button>
      </div>
      {run.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300" data-testid="dry-run-error">
          {run.error.message}
        </p>
      ) : null}
      {r ? <DryRunResultView result={r} kind={kind} /> : null}
    </Card>
  );
}

function DryRunResultView({ result: r, kind }: { result: DryRunResult; kind: Kind }) {
  const section = kind === "routing" ? r.routing : r.cache;
  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="dry-run-result">
      <p data-testid="dry-run-matched">
        {section.matched ? (
          <>
            Matched rule <strong>{section.matched.ruleId}</strong> (#{section.matched.index + 1})
            {section.matched.description ? <span className="text-[var(--muted)]"> · {section.matched.description}</span> : null}
          </>
        ) : (
          <>No rule matched: the default applies.</>
        )}
        <span className="text-xs text-[var(--muted)]"> ({section.version === null ? "draft" : `version ${section.version}`})</span>
      </p>
      {section.skipped.length > 0 ? (
        <ul className="list-disc pl-5 text-xs" data-testid="dry-run-skipped">
          {section.skipped.map((s) => (
            <li key={s.ruleId}>
              {s.ruleId} (#{s.index + 1}): {FIELD_LABEL[s.field] ?? s.field} did not match
            </li>
          ))}
        </ul>
      ) : null}
      <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 text-xs">
        <dt className="text-[var(--muted)]">Model</dt>
        <dd data-testid="dry-run-model">
          {r.routing.split ? r.routing.split.map((a) => `${a.model} ${a.weight}%`).join(" · ") : r.routing.model}
          {r.routing.model !== r.routing.requestedModel && !r.routing.split ? <span className="text-[var(--muted)]"> (asked for {r.routing.requestedModel})</span> : null}
          {r.routing.sticky ? <span className="text-[var(--muted)]"> · sticky</span> : null}
        </dd>
        <dt className="text-[var(--muted)]">Fallbacks</dt>
        <dd>{r.routing.fallbacks.length > 0 ? `${r.routing.fallbacks.join(" → ")} (budget ${r.routing.retryBudgetMs} ms)` : "none"}</dd>
        <dt className="text-[var(--muted)]">max_tokens</dt>
        <dd>
          {r.routing.maxTokens.requested ?? "-"}
          {r.routing.maxTokens.capped ? ` → ${r.routing.maxTokens.sent} (cap ${r.routing.maxTokensCap})` : r.routing.maxTokensCap ? ` (cap ${r.routing.maxTokensCap}, not reached)` : ""}
        </dd>
        <dt className="text-[var(--muted)]">Prompt caching</dt>
        <dd>
          {r.routing.promptCaching
            ? r.routing.promptCaching.added.length > 0
              ? `adds cache_control (${r.routing.promptCaching.ttl}) to ${r.routing.promptCaching.added.join(" and ")}`
              : `on (${r.routing.promptCaching.ttl}) but not applied: prefix under ${r.routing.promptCaching.minTokens} tokens or the request sets cache_control`
            : "off"}
        </dd>
        <dt className="text-[var(--muted)]">Response cache</dt>
        <dd data-testid="dry-run-cache">
          {r.cache.ttlSec > 0 ? `TTL ${r.cache.ttlSec} s, key scope ${r.cache.scope}` : r.cache.offReason === "no_user" ? "off: user-scoped rule but no metadata.user_id" : "off"}
          {r.cache.matched ? ` (rule ${r.cache.matched.ruleId})` : ""}
        </dd>
      </dl>
      {r.routing.promptCaching && r.routing.promptCaching.added.includes("system") ? (
        <details className="text-xs">
          <summary>Rewritten system block</summary>
          <pre className="max-h-40 overflow-auto rounded bg-[var(--background)] p-2">{JSON.stringify(r.routing.promptCaching.system, (_k, v) => (typeof v === "string" && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v), 2)}</pre>
        </details>
      ) : null}
      <table className="text-xs" data-testid="dry-run-costs">
        <thead>
          <tr className="text-left text-[var(--muted)]">
            <th className="pr-3 font-normal">Candidate</th>
            <th className="pr-3 font-normal">Role</th>
            <th className="pr-3 text-right font-normal">Est. cost</th>
          </tr>
        </thead>
        <tbody>
          {r.estimate.candidates.map((c, i) => (
            <tr key={i}>
              <td className="pr-3">{c.model}</td>
              <td className="pr-3">{c.role === "arm" ? `split ${c.weight}%` : c.role}</td>
              <td className="pr-3 text-right tabular-nums">{usd(c.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-[11px] text-[var(--muted)]">
        ~{r.estimate.inputTokens} prompt tokens (4 characters per token) at the input rate plus {r.estimate.outputTokens} output tokens (max_tokens) at the output rate: an upper bound.
      </p>
    </div>
  );
}
