import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";
import { GatewayError } from "./anthropic-error";

/**
 * The few fields the gateway acts on. Checked, never rebuilt: the client's object (and bytes)
 * go upstream as they came unless a policy changes them, unknown fields included.
 */
const MessagesFields = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(z.unknown()),
  stream: z.boolean().nullish(),
  max_tokens: z.number().nullish(),
  tools: z.array(z.unknown()).nullish(),
  metadata: z.looseObject({ user_id: z.string().max(256).nullish() }).nullish(),
});

export type MessagesRequest = Record<string, unknown> & { model: string; messages: unknown[]; stream?: boolean | null };

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
  return json as Record<string, unknown>;
}

export function parseMessagesRequest(body: Buffer): MessagesRequest {
  const json = parseJsonObject(body);
  const checked = MessagesFields.safeParse(json);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new GatewayError(400, "invalid_request_error", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return json as MessagesRequest;
}

export function parseCountTokensRequest(body: Buffer): Record<string, unknown> {
  return parseJsonObject(body);
}

/** Only project keys call the gateway: a browser session cookie alone never spends tokens. */
export function requireKeyHeader(headers: IncomingHttpHeaders): void {
  if (headers["x-api-key"] || /^Bearer\s/i.test(String(headers.authorization ?? ""))) return;
  throw new GatewayError(401, "authentication_error", "Send your Pitwall project key as x-api-key or Authorization: Bearer <key>.");
}
