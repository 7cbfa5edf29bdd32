import { createLoader, parseAsStringLiteral } from "nuqs/server";
import { metricsParsers } from "@/components/metrics/search-params";

export const MODEL_SORTS = ["model", "requests", "p50", "p95", "p99", "ttft", "tps", "cost", "costPerRequest", "share"] as const;
export type ModelSort = (typeof MODEL_SORTS)[number];

/** The shared dashboard state plus the table's sort column and direction. */
export const modelsParsers = {
  ...metricsParsers,
  sort: parseAsStringLiteral(MODEL_SORTS).withDefault("cost"),
  dir: parseAsStringLiteral(["asc", "desc"] as const).withDefault("desc"),
};

export const loadModelsParams = createLoader(modelsParsers);
