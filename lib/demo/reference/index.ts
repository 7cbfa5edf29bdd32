/** The advisor's reference and clean workloads: the manifest of planted rates, the plan, the run. */
export { REFERENCE_MANIFEST, CLEAN_MANIFEST, WORKLOAD_MANIFESTS, WORKLOAD_VARIANTS, NON_INTERACTIVE_TAG, overallShare, type PlantedFinding, type RouteManifest, type WorkloadManifest, type WorkloadVariant } from "./manifest";
export { planWorkload, windowedMessages, type PlanInput, type PlannedJob, type PlannedTurn, type WorkloadOptions, type WorkloadPlan } from "./workload-plan";
export { runReferenceWorkload, type ReferenceWorkloadInput, type ReferenceWorkloadResult, type RouteCounts } from "./run-workload";
export { measureWorkload, compareWithManifest, SHORT_INPUT_TOKENS, SHORT_OUTPUT_TOKENS, type MeasuredEvent, type MeasuredRoute } from "./measure-workload";
