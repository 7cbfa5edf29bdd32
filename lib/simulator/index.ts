export { createSimulator, ANTHROPIC_VERSIONS, type Simulator, type SimulatorStats } from "./handler";
export { startSimulatorServer, simulatorBaseUrl, type SimulatorServer } from "./server";
export { simulatorOptionsFromEnv, type SimulatorOptions } from "./options";
export { FAULT_HEADER, SPEND_LIMIT_HEADER, FAULT_KINDS, type FaultKind, type FaultRates } from "./faults";
export { DEFAULT_LATENCY_PROFILES, profileFor, medianTtftMs, type LatencyProfile } from "./latency-profiles";
export { OUTPUT_TOKENS_HEADER } from "./reply-length";
export { DEFAULT_MIN_CACHE_TOKENS, minCacheTokens } from "./cache-minimums";
export { textTokens, CHARS_PER_TOKEN } from "./token-count";
