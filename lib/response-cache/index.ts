export * from "./response-cache";
export { responseCacheKey, normalizeForCache, type CacheKeyScope } from "./cache-key";
export { LruResponseCache } from "./lru-response-cache";
export { RedisResponseCache } from "./redis-response-cache";
export { PostgresResponseCache } from "./postgres-response-cache";
export { TieredResponseCache, createResponseCache, getResponseCache } from "./create-response-cache";
