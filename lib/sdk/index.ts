/**
 * pitwall/sdk: record Claude calls, tool calls and traces from inside an agent. No server or
 * database code: it runs in Node 20+ and in any runtime with fetch and Web Crypto.
 */
export { createPitwall, type Pitwall, type PitwallOptions, type PolicyHandle, type PolicyOptions, type TraceHandle } from "./pitwall";
export type { PolicyStats } from "./policy-sync";
export type { ResponseCacheOptions, ResponseCacheStats } from "./response-cache";
export type { SdkEvent, TrackEvent } from "./event";
export type { TraceContext } from "./context";
export type { TransportStats } from "./transport";
