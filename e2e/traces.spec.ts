import { randomBytes } from "node:crypto";
import { test, expect } from "./fixtures";
import { APP_URL, E2E_KEY, E2E_PROJECT } from "./env";

/**
 * An agent instrumented with OpenTelemetry exports a trace in which five 200 ms tools ran one
 * after another; the operator opens it from the events drawer and sees the waterfall and the hint.
 */
test("a trace with sequential tools shows the waterfall and the parallelism hint", async ({ signedInPage: page }) => {
  const traceId = randomBytes(16).toString("hex");
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const ms = (n: number) => (t0 + BigInt(n) * 1_000_000n).toString();
  const attr = (key: string, v: string | number) => ({ key, value: typeof v === "number" ? { intValue: v } : { stringValue: v } });
  const session = `e2e-session-${traceId.slice(0, 8)}`;
  const span = (i: number, start: number, end: number, attributes: ReturnType<typeof attr>[]) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, "0"),
    name: "span",
    kind: 3,
    startTimeUnixNano: ms(start),
    endTimeUnixNano: ms(end),
    attributes: [...attributes, attr("gen_ai.conversation.id", session)],
  });
  const chat = (i: number, start: number, end: number) =>
    span(i, start, end, [attr("gen_ai.operation.name", "chat"), attr("gen_ai.request.model", "claude-haiku-4-5"), attr("gen_ai.usage.input_tokens", 1200), attr("gen_ai.usage.output_tokens", 80)]);
  const tools = ["lookup_order", "check_stock", "get_rates", "fetch_profile", "load_history"].map((name, i) =>
    span(i + 1, 500 + i * 200, 700 + i * 200, [attr("gen_ai.operation.name", "execute_tool"), attr("gen_ai.tool.name", name)]),
  );
  const res = await fetch(`${APP_URL}/api/otel/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${E2E_KEY}` },
    body: JSON.stringify({
      resourceSpans: [{ resource: { attributes: [attr("service.name", "e2e-otel-agent")] }, scopeSpans: [{ scope: { name: "e2e" }, spans: [chat(0, 0, 500), ...tools, chat(6, 1500, 1900)] }] }],
    }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-pitwall-accepted-spans")).toBe("7");

  await page.goto(`/p/${E2E_PROJECT}/events?trace=${traceId}&kind=tool`);
  await expect(page.getByTestId("event-row")).toHaveCount(5);
  await page.getByTestId("event-row").first().click();
  await page.getByTestId("open-trace").click();

  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}$`));
  await expect(page.getByTestId("waterfall-row")).toHaveCount(7);
  await expect(page.getByTestId("parallel-hint")).toContainText("sequential: 1.0 s of tools could run in 0.2 s in parallel");
  await expect(page.getByTestId("trace-duration")).toHaveText("1.90 s");
  // Strictly one after another: every call is on the critical path.
  await expect(page.locator('[data-testid="waterfall-row"][data-critical="true"]')).toHaveCount(7);
  await page.screenshot({ path: "test-results/e2e/trace-waterfall.png", fullPage: true });

  // The session the calls belong to: two LLM calls, five tools, input growing 1.2k per call.
  await page.getByRole("link", { name: "Sessions" }).click();
  const row = page.getByTestId("session-row").filter({ hasText: session });
  await expect(row).toContainText("e2e-otel-agent");
  await expect(row.getByTestId("session-growth")).toHaveText("+0");
  await page.screenshot({ path: "test-results/e2e/sessions.png", fullPage: true });
});
