import { describe, expect, it } from "vitest";
import { simulatorMounted } from "./hot-routes";

describe("the in-process simulator mount", () => {
  it("is mounted while it is the gateway's upstream", () => {
    expect(simulatorMounted({})).toBe(true);
  });

  it("is not mounted when a real provider key or a custom upstream is configured", () => {
    expect(simulatorMounted({ ANTHROPIC_API_KEY: "sk-ant-test" })).toBe(false);
    expect(simulatorMounted({ PITWALL_UPSTREAM_URL: "http://127.0.0.1:4010" })).toBe(false);
  });

  it("follows an explicit PITWALL_SIMULATOR switch", () => {
    expect(simulatorMounted({ ANTHROPIC_API_KEY: "sk-ant-test", PITWALL_SIMULATOR: "1" })).toBe(true);
    expect(simulatorMounted({ PITWALL_SIMULATOR: "0" })).toBe(false);
  });
});
