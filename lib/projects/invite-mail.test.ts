import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { webHandler } from "../http/web-handler";
import { signedInUser, webRequest, type TestUser } from "../auth/testing/sessions";
import { createProject } from "./project-queries";
import { postInvite } from "./http/members-handlers";

/** A minimal SMTP server that records what it is sent (enough for nodemailer's plain dialogue). */
async function fakeSmtp(): Promise<{ port: number; messages: { rcpt: string[]; data: string }[]; close: () => Promise<void> }> {
  const messages: { rcpt: string[]; data: string }[] = [];
  const server = net.createServer((socket) => {
    let buffer = "";
    let inData = false;
    let current = { rcpt: [] as string[], data: "" };
    socket.write("220 fake ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(current);
          current = { rcpt: [], data: "" };
          socket.write("250 queued\r\n");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 fake\r\n");
        else if (verb === "MAIL") socket.write("250 ok\r\n");
        else if (verb === "RCPT") {
          current.rcpt.push(line.slice(line.indexOf("<") + 1, line.indexOf(">")));
          socket.write("250 ok\r\n");
        } else if (verb === "DATA") {
          inData = true;
          socket.write("354 go\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, messages, close: () => new Promise((r) => server.close(() => r())) };
}

let handle: DbHandle;
let admin: TestUser;
let smtp: Awaited<ReturnType<typeof fakeSmtp>>;

beforeAll(async () => {
  handle = await createTestDb();
  const project = await createProject(handle.db, { slug: "mailing", name: "Mailing team" });
  admin = await signedInUser(handle.db, { projectId: project.id, role: "admin" });
  smtp = await fakeSmtp();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await smtp?.close();
  await handle?.close();
});

const invite = async (body: unknown) => {
  const res = await webHandler((r) => postInvite(handle.db, r))(webRequest("/api/v1/members/invites?project=mailing", { method: "POST", body, cookie: admin.cookie }), undefined);
  return { status: res.status, body: (await res.json()) as { url: string; emailed: boolean } };
};

describe("invitation e-mail (optional SMTP)", () => {
  it("without SMTP settings nothing is mailed; the link is only shown", async () => {
    const res = await invite({ role: "viewer", email: "someone@example.com" });
    expect(res.status).toBe(201);
    expect(res.body.emailed).toBe(false);
    expect(smtp.messages).toHaveLength(0);
  });

  it("with PITWALL_SMTP_URL, an addressed invitation is mailed with its link", async () => {
    vi.stubEnv("PITWALL_SMTP_URL", `smtp://127.0.0.1:${smtp.port}`);
    vi.stubEnv("PITWALL_SMTP_FROM", "pitwall@example.com");
    const res = await invite({ role: "editor", email: "Editor@Example.com" });
    expect(res.status).toBe(201);
    expect(res.body.emailed).toBe(true);
    const mail = smtp.messages.at(-1)!;
    expect(mail.rcpt).toEqual(["editor@example.com"]);
    expect(mail.data).toContain(res.body.url);
    expect(mail.data).toContain("Mailing team");
    // Link-only invitations (no address) are never mailed.
    const before = smtp.messages.length;
    expect((await invite({ role: "viewer" })).body.emailed).toBe(false);
    expect(smtp.messages).toHaveLength(before);
  });

  it("a mail server that is down does not fail the invitation", async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    vi.stubEnv("PITWALL_SMTP_URL", `smtp://127.0.0.1:${port}`);
    vi.stubEnv("PITWALL_SMTP_FROM", "pitwall@example.com");
    const res = await invite({ role: "viewer", email: "x@example.com" });
    expect(res.status).toBe(201);
    expect(res.body.emailed).toBe(false);
    expect(res.body.url).toMatch(/\/invite\//);
  });
});
