/**
 * SDK tests only: a local stand-in for Pitwall (GET /api/v1/policies with ETag and 304, and
 * POST /api/v1/events) that injects faults into the policy fetch, and an upstream that answers
 * with the model it was sent and counts its calls.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type PolicyFault = "ok" | "500" | "garbage" | "reset" | "hang" | "bad-document";
export type LiveDoc = { version: number; document: unknown };

export type PolicyServer = {
  url: string;
  live: { routing: LiveDoc; cache: LiveDoc };
  fault: PolicyFault;
  /** Every policy fetch: what If-None-Match it carried and what it was answered. */
  fetches: { ifNoneMatch: string | null; status: number }[];
  events: Record<string, unknown>[];
  close(): Promise<void>;
};

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closer = (server: http.Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export async function startPolicyServer(live: PolicyServer["live"]): Promise<PolicyServer> {
  const state: Omit<PolicyServer, "url" | "close"> = { live, fault: "ok", fetches: [], events: [] };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/api/v1/events") {
        const events = (JSON.parse(body) as { events: Record<string, unknown>[] }).events;
        state.events.push(...events);
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [] }));
      }
      const ifNoneMatch = (req.headers["if-none-match"] as string | undefined) ?? null;
      const answer = (status: number, text: string | null, headers: Record<string, string> = {}) => {
        state.fetches.push({ ifNoneMatch, status });
        res.writeHead(status, headers);
        res.end(text ?? undefined);
      };
      switch (state.fault) {
        case "500":
          return answer(500, JSON.stringify({ error: { code: "internal", message: "boom" } }), { "content-type": "application/json" });
        case "garbage":
          return answer(200, "<html>not json", { "content-type": "text/html" });
        case "bad-document":
          return answer(200, JSON.stringify({ routing: { version: 9, document: { rules: [{ id: "x", match: { route: 42 }, action: {} }] } }, cache: { version: 0, document: {} } }), { "content-type": "application/json" });
        case "reset":
          state.fetches.push({ ifNoneMatch, status: 0 });
          return req.socket.destroy();
        case "hang":
          state.fetches.push({ ifNoneMatch, status: 0 });
          return; // never answers; the client's timeout ends it
      }
      const etag = `"routing-${state.live.routing.version}.cache-${state.live.cache.version}"`;
      if (ifNoneMatch === etag) return answer(304, null, { etag });
      answer(200, JSON.stringify(state.live), { "content-type": "application/json", etag });
    });
  });
  const url = await listen(server);
  return Object.assign(state, { url, close: closer(server) });
}

export type EchoUpstream = { url: string; bodies: Record<string, unknown>[]; close(): Promise<void> };

/** Answers every Messages call with the model it was sent (529 for model "overloaded"), as JSON or SSE. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const bodies: Record<string, unknown>[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => {
      const params = JSON.parse(body) as { model: string; stream?: boolean };
      bodies.push(params);
      if (params.model === "overloaded") {
        res.writeHead(529, { "content-type": "application/json" });
        return res.end(JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
      }
      const message = {
        id: `msg_${++n}`,
        type: "message",
        role: "assistant",
        model: params.model,
        content: [{ type: "text", text: `answer ${n}` }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      };
      if (!params.stream) {
        res.writeHead(200, { "content-type": "application/json", "request-id": `req_${n}` });
        return res.end(JSON.stringify(message));
      }
      res.writeHead(200, { "content-type": "text/event-stream", "request-id": `req_${n}` });
      const events: [string, unknown][] = [
        ["message_start", { type: "message_start", message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } }],
        ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
        ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `answer ${n}` } }],
        ["content_block_stop", { type: "content_block_stop", index: 0 }],
        ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }],
        ["message_stop", { type: "message_stop" }],
      ];
      for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      res.end();
    });
  });
  const url = await listen(server);
  return { url, bodies, close: closer(server) };
}
