import { describe, expect, it } from "vitest";
import { parseTraceHeaders, parseTraceparent } from "./trace-headers";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("trace headers", () => {
  it("read a W3C traceparent, filing the parent under the id OTLP ingestion gives that span", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, parentId: `${TRACE}-${SPAN}` });
    expect(parseTraceHeaders({ traceparent: `00-${TRACE}-${SPAN}-00` })).toEqual({ traceId: TRACE, parentId: `${TRACE}-${SPAN}` });
    // A later version may append fields, which are ignored.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)).toEqual({ traceId: TRACE, parentId: `${TRACE}-${SPAN}` });
  });

  it("read the Pitwall pair as sent, and let it win over a traceparent", () => {
    expect(parseTraceHeaders({ "x-pitwall-trace-id": "t-42", "x-pitwall-parent-id": "tool.7" })).toEqual({ traceId: "t-42", parentId: "tool.7" });
    expect(parseTraceHeaders({ "x-pitwall-trace-id": "t-42" })).toEqual({ traceId: "t-42", parentId: null });
    expect(parseTraceHeaders({ "x-pitwall-trace-id": "t-42", traceparent: `00-${TRACE}-${SPAN}-01` })).toEqual({ traceId: "t-42", parentId: null });
    expect(parseTraceHeaders({})).toEqual({ traceId: null, parentId: null });
  });

  it("refuse malformed values with a 400 naming the header", () => {
    const refusals: [Record<string, string>, RegExp][] = [
      [{ traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` }, /traceparent must be a W3C/],
      [{ traceparent: `00-${TRACE}-${SPAN}` }, /traceparent must be a W3C/],
      [{ traceparent: `00-${TRACE}-${SPAN}-01-extra` }, /traceparent must be a W3C/],
      [{ traceparent: `ff-${TRACE}-${SPAN}-01` }, /traceparent must be a W3C/],
      [{ traceparent: `00-${"0".repeat(32)}-${SPAN}-01` }, /trace id must not be all zeros/],
      [{ traceparent: `00-${TRACE}-${"0".repeat(16)}-01` }, /parent id must not be all zeros/],
      // Checked even when the Pitwall pair overrides it.
      [{ "x-pitwall-trace-id": "t", traceparent: "garbage" }, /traceparent must be a W3C/],
      [{ "x-pitwall-trace-id": "has space" }, /x-pitwall-trace-id must be 1-128/],
      [{ "x-pitwall-trace-id": "x".repeat(129) }, /x-pitwall-trace-id must be 1-128/],
      [{ "x-pitwall-trace-id": "-leading" }, /x-pitwall-trace-id must be/],
      [{ "x-pitwall-trace-id": "t", "x-pitwall-parent-id": "p%00" }, /x-pitwall-parent-id must be/],
      [{ "x-pitwall-parent-id": "p1" }, /needs x-pitwall-trace-id/],
    ];
    for (const [headers, message] of refusals) {
      let caught: unknown;
      try {
        parseTraceHeaders(headers);
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(headers)).toMatchObject({ status: 400, type: "invalid_request_error", message: expect.stringMatching(message) });
    }
  });
});
