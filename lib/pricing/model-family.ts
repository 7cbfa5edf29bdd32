/**
 * Dated ids (claude-sonnet-4-5-20250929) and `-latest` aliases resolve to their family's price.
 * Anthropic's older ids put the date last too (claude-3-5-haiku-20241022).
 */
export function modelFamily(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/@.*$/, "") // vertex-style claude-sonnet-4-5@20250929
    .replace(/-(\d{8}|latest)$/, "")
    .replace(/^(anthropic\.|us\.anthropic\.|eu\.anthropic\.)/, "") // bedrock-style prefixes
    .replace(/-v\d+(:\d+)?$/, "");
}
