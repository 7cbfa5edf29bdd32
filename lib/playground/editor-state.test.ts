import { describe, expect, it } from "vitest";
import { ExperimentConfig } from "./config-schema";
import { addPane, defaultConfig, duplicatePane, nextPaneName, removePane, setPaneField, setSync } from "./editor-state";

const base = defaultConfig(["claude-haiku-4-5", "claude-sonnet-4-6"]);

describe("playground editor rules", () => {
  it("starts with two valid panes on the price table's models", () => {
    expect(ExperimentConfig.safeParse(base).success).toBe(true);
    expect(base.panes.map((p) => [p.name, p.model])).toEqual([["A", "claude-haiku-4-5"], ["B", "claude-sonnet-4-6"]]);
  });

  it("adds and duplicates panes with fresh names up to 4, removes down to 2", () => {
    const three = addPane(base, "claude-opus-4-6");
    expect(three.panes.map((p) => p.name)).toEqual(["A", "B", "C"]);
    const four = duplicatePane(three, 0);
    expect(four.panes.map((p) => p.name)).toEqual(["A", "D", "B", "C"]);
    expect(four.panes[1]!.model).toBe("claude-haiku-4-5");
    expect(addPane(four, "x").panes).toHaveLength(4);
    expect(duplicatePane(four, 0).panes).toHaveLength(4);
    expect(removePane(removePane(removePane(four, 0), 0), 0).panes).toHaveLength(2);
    expect(nextPaneName([{ name: "A" }, { name: "b" }] as never)).toBe("C");
  });

  it("writes a synced field to every pane, and a per-pane field to one", () => {
    const synced = setSync(setPaneField(base, 0, "system", "Be brief."), "system", true);
    expect(synced.panes.map((p) => p.system)).toEqual(["Be brief.", "Be brief."]);
    const edited = setPaneField(synced, 1, "system", "Be kind.");
    expect(edited.panes.map((p) => p.system)).toEqual(["Be kind.", "Be kind."]);
    const own = setPaneField(edited, 1, "maxTokens", 99);
    expect(own.panes.map((p) => p.maxTokens)).toEqual([256, 99]);
  });
});
