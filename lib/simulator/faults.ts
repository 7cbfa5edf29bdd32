import type { IncomingMessage } from "node:http";
import { matchModel } from "./model-match";
import type { Rng } from "./prng";
import { SimulatorError } from "./simulator-error";

export const FAULT_KINDS = ["429", "529", "500", "stream-error", "stall"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number] | "spend-limit";

/** Probability per request of each fault, per model family prefix ("*" for any model). */
export type FaultRates = Partial<Record<FaultKind, number>>;

export const FAULT_HEADER = "x-simulator-fault";
export const SPEND_LIMIT_HEADER = "x-simulator-fault-spend-limit";
/** Seconds a simulated 429 asks the client to wait. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * The fault for this request: asked for by header (tests, demo traffic), else drawn from the
 * configured per-model rates. One draw per request keeps the sequence reproducible under a seed.
 */
export function pickFault(req: IncomingMessage, model: string, rates: Readonly<Record<string, FaultRates>>, rng: Rng): FaultKind | undefined {
  const draw = rng();
  if (headerValue(req, SPEND_LIMIT_HEADER) === "1") return "spend-limit";
  const asked = headerValue(req, FAULT_HEADER);
  if (asked !== undefined && asked !== "") {
    if (!(FAULT_KINDS as readonly string[]).includes(asked)) {
      throw SimulatorError.invalidRequest(`${FAULT_HEADER} must be one of ${FAULT_KINDS.join(", ")}; got "${asked.slice(0, 40)}".`);
    }
    return asked as FaultKind;
  }
  const modelRates = matchModel(rates, model);
  if (!modelRates) return undefined;
  let acc = 0;
  for (const kind of [...FAULT_KINDS, "spend-limit"] as FaultKind[]) {
    acc += modelRates[kind] ?? 0;
    if (draw < acc) return kind;
  }
  return undefined;
}

/** The HTTP error a fault answers with before any byte of the reply; undefined for mid-stream faults. */
export function faultError(kind: FaultKind, streaming: boolean): SimulatorError | undefined {
  switch (kind) {
    case "429":
      return new SimulatorError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (simulated).", {
        retryAfter: RETRY_AFTER_SECONDS,
      });
    case "spend-limit":
      return new SimulatorError(429, "rate_limit_error", "You have reached your specified API usage limits (simulated).", {
        details: { error_code: "enforced_spend_limit_reached" },
        shouldRetry: false,
      });
    case "529":
      return new SimulatorError(529, "overloaded_error", "Overloaded (simulated).");
    case "500":
      return SimulatorError.internal();
    case "stream-error":
      // Without a stream there is no mid-stream error event; the nearest real outcome is an overload.
      return streaming ? undefined : new SimulatorError(529, "overloaded_error", "Overloaded (simulated stream-error on a non-streaming request).");
    case "stall":
      return undefined;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim();
}
