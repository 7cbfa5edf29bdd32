import type { ExperimentConfigInput } from "./config-schema";

/**
 * The playground's configuration in the URL (`?c=`): JSON, UTF-8, base64url. Browser-safe.
 * Past MAX_URL_CONFIG_CHARS (a long prompt) the page keeps the draft in sessionStorage instead;
 * a saved experiment holds any size.
 */
export const MAX_URL_CONFIG_CHARS = 6000;

export function encodeConfig(config: ExperimentConfigInput): string {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The configuration from `?c=`, or null when it is missing or unreadable (the page starts fresh). */
export function decodeConfig(text: string | null): ExperimentConfigInput | null {
  if (!text) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return json && typeof json === "object" && Array.isArray((json as { panes?: unknown }).panes) ? (json as ExperimentConfigInput) : null;
  } catch {
    return null;
  }
}
