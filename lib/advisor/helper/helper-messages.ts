import type { CachePolicy } from "../../policies/cache-policy-schema";
import type { PriceRow } from "../../pricing/compute-cost";
import type { Finding } from "../finding-schema";
import type { PassFigures } from "../replay/figures";
import type { CodeChanges, EventPredictions, ReplayPolicies } from "../replay/simulate";
import type { ModelTiming, ThinModel } from "../replay/timing-fit";
import type { TrafficMessage } from "../traffic-share";

/** One replay pass (simulate.ts) of the traffic under `candidate`. */
export type SimulateTask = {
  kind: "simulate";
  live: ReplayPolicies;
  candidate: ReplayPolicies;
  code?: CodeChanges;
  priceRows: readonly PriceRow[];
  /** The main thread's fitted timing (TimingModel's parts), so both passes time calls alike. */
  timing: { fitted: ModelTiming[]; thin: ReadonlyMap<string, ThinModel> };
  seed: number;
  /** Also the pass's figures per route and overall (figures.ts passFigures), which the main thread would otherwise compute after its own pass. */
  figures?: boolean;
};

/** Some finding kinds (indices into analyze-findings' FINDERS) over every route group of the window. */
export type FindingsTask = {
  kind: "findings";
  kinds: number[];
  priceRows: readonly PriceRow[];
  projectSlug: string;
  liveCache?: CachePolicy;
};

/** A pass's predictions with the served models as codes into `models` (a million strings cost more to send than to make again). */
export type PredictionsMessage = Omit<EventPredictions, "model"> & {
  modelCodes: Int32Array;
  models: string[];
  /** Every model the pass timed: the main thread's TimingModel times them too, so its answer lists the same timings. */
  timedModels: string[];
  figures?: PassFigures;
};

/** Per route group (routeGroups' order), per kind of the task in its order: the finding or null. */
export type FindingCells = (Finding | null)[][];

export type HelperRequest = { type: "run"; id: number; traffic: TrafficMessage; task: SimulateTask | FindingsTask } | { type: "cancel"; id: number };

export type HelperReply =
  | { type: "progress"; id: number; fraction: number }
  | { type: "done"; id: number; result: PredictionsMessage | FindingCells }
  /** The error itself is logged on the helper's thread; `aborted`: it stopped on a cancel. */
  | { type: "failed"; id: number; aborted: boolean };
