import { MAX_PANES, MIN_PANES, SYNCABLE, type ExperimentConfigInput, type SyncableField } from "./config-schema";

/**
 * The editor's rules, pure (the page calls them; tests check them): default panes, add / remove /
 * duplicate with unique names, and "sync" (a shared field is written to every pane).
 */
export type PaneInput = ExperimentConfigInput["panes"][number];

export const DEFAULT_PROMPT = "In three sentences, explain why streaming an answer lowers the latency a user feels.";

export function defaultPane(name: string, model: string): PaneInput {
  return { name, target: { kind: "model" }, model, system: "", promptCaching: "off", responseCacheTtlSec: 0, maxTokens: 256, tools: "" };
}

export function defaultConfig(models: string[]): ExperimentConfigInput {
  const pick = (want: string, fallback: number) => models.find((m) => m === want) ?? models[fallback] ?? want;
  return {
    panes: [defaultPane("A", pick("claude-haiku-4-5", 0)), defaultPane("B", pick("claude-sonnet-4-6", 1))],
    prompt: DEFAULT_PROMPT,
    history: [],
    sync: {},
  };
}

/** The next free single-letter name (A, B, C, D), else "Pane n". */
export function nextPaneName(panes: readonly PaneInput[]): string {
  const taken = new Set(panes.map((p) => p.name.toLowerCase()));
  for (const letter of "ABCDEFGH") if (!taken.has(letter.toLowerCase())) return letter;
  let i = panes.length + 1;
  while (taken.has(`pane ${i}`)) i++;
  return `Pane ${i}`;
}

export function addPane(config: ExperimentConfigInput, model: string): ExperimentConfigInput {
  if (config.panes.length >= MAX_PANES) return config;
  const template = config.panes[0];
  const pane = template ? { ...template, name: nextPaneName(config.panes), model } : defaultPane(nextPaneName(config.panes), model);
  return { ...config, panes: [...config.panes, pane] };
}

export function duplicatePane(config: ExperimentConfigInput, index: number): ExperimentConfigInput {
  const source = config.panes[index];
  if (!source || config.panes.length >= MAX_PANES) return config;
  const panes = [...config.panes];
  panes.splice(index + 1, 0, { ...source, name: nextPaneName(config.panes) });
  return { ...config, panes };
}

export function removePane(config: ExperimentConfigInput, index: number): ExperimentConfigInput {
  if (config.panes.length <= MIN_PANES) return config;
  return { ...config, panes: config.panes.filter((_, i) => i !== index) };
}

function isSyncable(field: string): field is SyncableField {
  return (SYNCABLE as readonly string[]).includes(field);
}

/** Sets a pane's field; a synced field is set on every pane. */
export function setPaneField<K extends keyof PaneInput>(config: ExperimentConfigInput, index: number, field: K, value: PaneInput[K]): ExperimentConfigInput {
  const synced = isSyncable(field) && config.sync?.[field] === true;
  return { ...config, panes: config.panes.map((p, i) => (synced || i === index ? { ...p, [field]: value } : p)) };
}

/** Turning sync on copies the first pane's value to every pane; turning it off leaves values as they are. */
export function setSync(config: ExperimentConfigInput, field: SyncableField, on: boolean): ExperimentConfigInput {
  const sync = { ...config.sync, [field]: on };
  const first = config.panes[0];
  if (!on || !first) return { ...config, sync };
  return { ...config, sync, panes: config.panes.map((p) => ({ ...p, [field]: first[field] })) };
}
