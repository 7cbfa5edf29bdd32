import { describe, expect, it } from "vitest";
import { parseGatewayHints } from "../gateway/gateway-headers";
import { SESSION_HEADER } from "./hint-headers";

describe("hint header names", () => {
  it("names the session header the gateway reads", () => {
    expect(parseGatewayHints({ [SESSION_HEADER]: "sess-1" }).sessionId).toBe("sess-1");
  });
});
