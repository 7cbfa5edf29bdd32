import { decode, type Dictionary, type Traffic } from "../traffic";
import { LLM_KEYS, TOOL_KEYS, type LlmKey, type ToolKey } from "../traffic-builder";

/** Which dictionary each code column reads (tests only: two Traffics of the same rows may code them differently). */
const LLM_DICT: Partial<Record<LlmKey, keyof Traffic>> = {
  route: "routes", agent: "agents", session: "sessions", trace: "traces", parent: "spans", model: "models",
  requestedModel: "models", user: "users", tagSet: "tagSets", promptHash: "hashes", systemHash: "hashes",
};
const TOOL_DICT: Partial<Record<ToolKey, keyof Traffic>> = { span: "spans", trace: "traces", parent: "spans", name: "toolNames", agent: "agents", session: "sessions" };

/** Every row of a Traffic with its strings decoded: equal for two Traffics holding the same rows in the same order. */
export function decodedRows(t: Traffic): { llm: Record<string, unknown>[]; tools: Record<string, unknown>[] } {
  const llm: Record<string, unknown>[] = [];
  for (let i = 0; i < t.llm.length; i++) {
    const row: Record<string, unknown> = { id: t.llm.id.at(i) };
    for (const k of LLM_KEYS) {
      const v = (t.llm[k] as ArrayLike<number>)[i]!;
      const d = LLM_DICT[k];
      row[k] = d ? decode(t[d] as Dictionary, v) : v;
    }
    llm.push(row);
  }
  const tools: Record<string, unknown>[] = [];
  for (let i = 0; i < t.tools.length; i++) {
    const row: Record<string, unknown> = {};
    for (const k of TOOL_KEYS) {
      const v = (t.tools[k] as ArrayLike<number>)[i]!;
      const d = TOOL_DICT[k];
      row[k] = d ? decode(t[d] as Dictionary, v) : v;
    }
    tools.push(row);
  }
  return { llm, tools };
}
