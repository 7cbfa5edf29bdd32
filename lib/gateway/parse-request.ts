import type { IncomingHttpHeaders } from "node:http";
import { nestsDeeperThan } from "../json-depth";
import { GatewayError } from "./anthropic-error";

export type MessagesRequest = Record<string, unknown> & { model: string; messages: unknown[]; stream?: boolean | null };

const MAX_JSON_DEPTH = 128;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new GatewayError(400, "invalid_request_error", "The request body is not valid JSON.");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new GatewayError(400, "invalid_request_error", "The request body must be a JSON object.");
  }
  // Hashing and token estimates recurse over the body; a [[[…]]] bomb must be refused up front,
  // not overflow the stack later in a callback where it would take the process down.
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    throw new GatewayError(400, "invalid_request_error", `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  return json as Record<string, unknown>;
}

/**
 * Checks the few fields the gateway acts on (plain checks: this runs on every call). The object is
 * never rebuilt: the client's bytes go upstream as they came unless a policy changes a field,
 * unknown fields included. Everything else is the upstream's to judge.
 */
export function parseMessagesRequest(body: Buffer): MessagesRequest {
  const json = parseJsonObject(body);
  const fail = (field: string, message: string): never => {
    throw new GatewayError(400, "invalid_request_error", `${field}: ${message}`);
  };
  if (typeof json.model !== "string" || json.model === "") fail("model", "Field required (a model id string)");
  if ((json.model as string).length > 256) fail("model", "at most 256 characters");
  // It is echoed in x-pitwall-model: a header value must be printable ASCII (else writeHead throws).
  if (!PRINTABLE_ASCII.test(json.model as string)) fail("model", "must be printable ASCII (a model id such as claude-sonnet-4-5)");
  if (!Array.isArray(json.messages)) fail("messages", "Field required (an array)");
  if (json.stream != null && typeof json.stream !== "boolean") fail("stream", "must be a boolean");
  if (json.max_tokens != null && typeof json.max_tokens !== "number") fail("max_tokens", "must be a number");
  if (json.tools != null && !Array.isArray(json.tools)) fail("tools", "must be an array");
  const metadata = json.metadata;
  if (metadata != null) {
    if (typeof metadata !== "object" || Array.isArray(metadata)) fail("metadata", "must be an object");
    const user = (metadata as { user_id?: unknown }).user_id;
    if (user != null && (typeof user !== "string" || user.length > 256)) fail("metadata.user_id", "must be a string of at most 256 characters");
  }
  return json as MessagesRequest;
}

/** Only project keys call the gateway: a browser session cookie alone never spends tokens. */
export function requireKeyHeader(headers: IncomingHttpHeaders): void {
  if (headers["x-api-key"] || /^Bearer\s/i.test(String(headers.authorization ?? ""))) return;
  throw new GatewayError(401, "authentication_error", "Send your Pitwall project key as x-api-key or Authorization: Bearer <key>.");
}
