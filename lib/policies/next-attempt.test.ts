import { describe, expect, it } from "vitest";
import { isRetryableFailure, nextAttempt, parseRetryAfterMs, upstreamErrorCode } from "./next-attempt";

const chain = ["opus", "sonnet", "haiku"];
const fresh = { elapsedMs: 0, budgetMs: 10_000 };

describe("isRetryableFailure", () => {
  it("retries 429, 529, 5xx and timeouts but not 4xx or a spend-limit 429", () => {
    expect(isRetryableFailure({ status: 429 })).toBe(true);
    expect(isRetryableFailure({ status: 529 })).toBe(true);
    expect(isRetryableFailure({ status: 500 })).toBe(true);
    expect(isRetryableFailure({ status: 503 })).toBe(true);
    expect(isRetryableFailure({})).toBe(true);
    expect(isRetryableFailure({ status: 400 })).toBe(false);
    expect(isRetryableFailure({ status: 401 })).toBe(false);
    expect(isRetryableFailure({ status: 413 })).toBe(false);
    expect(isRetryableFailure({ status: 429, errorCode: "enforced_spend_limit_reached" })).toBe(false);
  });
});

describe("nextAttempt", () => {
  it("walks the chain in order, switching models without waiting", () => {
    expect(nextAttempt(chain, 0, { status: 529 }, fresh)).toEqual({ index: 1, model: "sonnet", delayMs: 0 });
    expect(nextAttempt(chain, 1, { status: 429, retryAfterMs: 5000 }, fresh)).toEqual({ index: 2, model: "haiku", delayMs: 0 });
    expect(nextAttempt(chain, 2, { status: 500 }, fresh)).toBeNull();
  });

  it("never retries a spend-limit 429 or a client error", () => {
    expect(nextAttempt(chain, 0, { status: 429, errorCode: "enforced_spend_limit_reached" }, fresh)).toBeNull();
    expect(nextAttempt(chain, 0, { status: 400 }, fresh)).toBeNull();
  });

  it("waits retry-after before retrying the same model, within the budget", () => {
    const same = ["sonnet", "sonnet", "haiku"];
    expect(nextAttempt(same, 0, { status: 429, retryAfterMs: 2000 }, { elapsedMs: 1000, budgetMs: 5000 })).toEqual({ index: 1, model: "sonnet", delayMs: 2000 });
    // The wait would overrun the budget: skip to the next different model instead.
    expect(nextAttempt(same, 0, { status: 429, retryAfterMs: 4500 }, { elapsedMs: 1000, budgetMs: 5000 })).toEqual({ index: 2, model: "haiku", delayMs: 0 });
    expect(nextAttempt(["sonnet", "sonnet"], 0, { status: 429, retryAfterMs: 4500 }, { elapsedMs: 1000, budgetMs: 5000 })).toBeNull();
  });

  it("starts nothing once the budget is spent, and nothing with a zero budget", () => {
    expect(nextAttempt(chain, 0, { status: 529 }, { elapsedMs: 10_001, budgetMs: 10_000 })).toBeNull();
    expect(nextAttempt(["opus"], 0, { status: 529 }, { elapsedMs: 0, budgetMs: 0 })).toBeNull();
  });
});

describe("parseRetryAfterMs", () => {
  it("reads retry-after-ms first, then seconds or an HTTP date", () => {
    expect(parseRetryAfterMs({ retryAfterMs: "1500", retryAfter: "9" })).toBe(1500);
    expect(parseRetryAfterMs({ retryAfter: "2" })).toBe(2000);
    expect(parseRetryAfterMs({ retryAfter: "0.5" })).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfterMs({ retryAfter: "Thu, 01 Jan 2026 00:00:03 GMT" }, now)).toBe(3000);
    expect(parseRetryAfterMs({ retryAfter: "soon" })).toBeUndefined();
    expect(parseRetryAfterMs({})).toBeUndefined();
  });

  it("reads the spend-limit code from an Anthropic error body", () => {
    expect(upstreamErrorCode({ type: "error", error: { type: "rate_limit_error", message: "x", details: { error_code: "enforced_spend_limit_reached" } } })).toBe(
      "enforced_spend_limit_reached",
    );
    expect(upstreamErrorCode({ type: "error", error: { type: "rate_limit_error", message: "x" } })).toBeUndefined();
    expect(upstreamErrorCode(null)).toBeUndefined();
  });
});
