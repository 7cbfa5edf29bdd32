/**
 * Dated ids (claude-sonnet-4-5-20250929) and `-latest` aliases resolve to their family's price.
 * Anthropic's older ids put the date last too (claude-3-5-haiku-20241022). Bedrock and Vertex
 * spellings (anthropic.…-v1:0, …@20250929) resolve the same way.
 */
export function modelFamily(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^(us\.|eu\.|apac\.|global\.)?anthropic\./, "")
    .replace(/-v\d+(:\d+)?$/, "")
    .replace(/@.*$/, "")
    .replace(/-(\d{8}|latest)$/, "");
}
