import { gatewayUpstreamKind } from "@/lib/gateway/upstream-kind";
import { Badge } from "../ui/badge";

/** Says plainly when gateway traffic is served by the built-in simulator, not Anthropic. */
export function UpstreamBadge() {
  const kind = gatewayUpstreamKind();
  if (kind === "anthropic") return null;
  return kind === "simulator" ? (
    <Badge tone="warn" data-testid="upstream-badge" title="No ANTHROPIC_API_KEY is set: the gateway answers from the built-in simulated Anthropic API.">
      Simulated upstream
    </Badge>
  ) : (
    <Badge tone="info" data-testid="upstream-badge" title="PITWALL_UPSTREAM_URL points the gateway at a custom upstream.">
      Custom upstream
    </Badge>
  );
}
