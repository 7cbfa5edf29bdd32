export * from "./routing-policy-schema";
export * from "./cache-policy-schema";
export * from "./plan-route";
export * from "./apply-prompt-caching";
export * from "./resolve-cache-rule";
export * from "./next-attempt";
export { estimateRequestTokens, tokensFromChars } from "./estimate-tokens";
export { matchesGlob } from "./glob";
