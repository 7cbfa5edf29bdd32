import { E2E_KEY, E2E_PROJECT, E2E_RUN_ID } from "./env";
import { expect, test } from "./fixtures";

/**
 * count_tokens through the gateway is recorded as its own kind: the events list shows it under
 * "Token counts", and it is not among the LLM calls.
 */
const AGENT = `count-tokens-${E2E_RUN_ID}`;

test("a token count through the gateway shows in the events list under Token counts, not as an LLM call", async ({ signedInPage: page, baseURL }) => {
  const res = await fetch(`${baseURL}/gateway/v1/messages/count_tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": E2E_KEY, "x-pitwall-agent": AGENT },
    body: JSON.stringify({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "How many tokens is this sentence?" }] }),
  });
  expect(res.status).toBe(200);
  const { input_tokens } = (await res.json()) as { input_tokens: number };
  expect(input_tokens).toBeGreaterThan(0);

  await page.goto(`/p/${E2E_PROJECT}/events?range=1h&agent=${AGENT}`);
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(1, { timeout: 15_000 });
  await page.getByTestId("filter-kind").selectOption("llm");
  await expect(page.getByText(/no events/i)).toBeVisible();
  await page.getByTestId("filter-kind").selectOption("count_tokens");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("claude-haiku-4-5");
  await rows.first().click();
  await expect(page.getByText("count_tokens").first()).toBeVisible();
});
