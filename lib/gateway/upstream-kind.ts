type Env = Readonly<Record<string, string | undefined>>;

/** Which upstream the gateway uses, for the UI's badge and /api/health (never the key or URL). */
export function gatewayUpstreamKind(env: Env = process.env): "anthropic" | "simulator" | "custom" {
  if (env.PITWALL_UPSTREAM_URL?.trim()) return "custom";
  return env.ANTHROPIC_API_KEY?.trim() ? "anthropic" : "simulator";
}
