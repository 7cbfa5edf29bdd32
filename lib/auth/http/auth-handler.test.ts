import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import type { AppError } from "../../errors";
import { webHandler } from "../../http/web-handler";
import { DEFAULT_LOGIN_LIMITS, LoginRateLimiter, loginDelaySec, setLoginRateLimiter, type LoginLimits } from "../login-rate-limit";
import { memoryLimiters } from "../rate-limit-store";
import { getSessionUser } from "../session";
import { endlessUpload, streamedPost } from "../../http/testing/endless-upload";
import { cookieHeaderFrom, signIn, signedInUser, TEST_ORIGIN, webRequest } from "../testing/sessions";
import { handleAuthRequest } from "./auth-handler";

let handle: DbHandle;

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());
afterEach(() => setLoginRateLimiter(undefined));

const auth = (path: string, opts: Parameters<typeof webRequest>[1] = {}) => webHandler((r) => handleAuthRequest(handle.db, r))(webRequest(`/api/auth${path}`, opts), undefined);
const attempt = (email: string, password: string, ip: string) =>
  auth("/sign-in/email", { method: "POST", body: { email, password }, headers: { "x-pitwall-client-ip": ip } });

describe("sign-in", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie, not Secure over plain HTTP", async () => {
    const user = await signedInUser(handle.db);
    const res = await attempt(user.email, user.password, "198.51.100.7");
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("pitwall.session_token="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });

  it("behind HTTPS the cookie is Secure (and __Secure- prefixed)", async () => {
    const user = await signedInUser(handle.db);
    const req = new Request("https://pitwall.example/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://pitwall.example" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const res = await handleAuthRequest(handle.db, req);
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.includes("pitwall.session_token="))!;
    expect(cookie).toMatch(/^__Secure-pitwall\.session_token=/);
    expect(cookie).toMatch(/;\s*Secure/i);
  });

  it("answers a wrong password with a generic 401 that does not say whether the account exists", async () => {
    const user = await signedInUser(handle.db);
    const wrong = await attempt(user.email, "not the password", "198.51.100.8");
    const unknown = await attempt("nobody@example.com", "not the password", "198.51.100.8");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toBe(((await unknown.json()) as { message: string }).message);
  });

  it("never puts the session token in a JSON body (sign-in, get-session, list-sessions, change-password)", async () => {
    const user = await signedInUser(handle.db);
    const signedIn = await attempt(user.email, user.password, "198.51.100.9");
    const cookie = cookieHeaderFrom(signedIn);
    const token = decodeURIComponent(/session_token=([^;]+)/.exec(cookie)![1]!).split(".")[0]!;
    expect(token.length).toBeGreaterThan(10);
    const bodies = [
      await signedIn.text(),
      await (await auth("/get-session", { cookie })).text(),
      await (await auth("/list-sessions", { cookie })).text(),
      await (await auth("/change-password", { method: "POST", cookie, body: { currentPassword: user.password, newPassword: "another long password", revokeOtherSessions: true } })).text(),
    ];
    expect(bodies[1]).toContain(user.email);
    expect(bodies[2]).toMatch(/expiresAt/);
    for (const body of bodies) expect(body).not.toContain(token);
    for (const body of bodies.slice(0, 3)) expect(body).not.toMatch(/"token"/);
  });

  it("refuses a cross-site form post", async () => {
    const user = await signedInUser(handle.db);
    const res = await auth("/sign-in/email", {
      method: "POST",
      body: { email: user.email, password: user.password },
      origin: "http://evil.example",
    });
    expect(res.status).toBe(403);
  });

  it("stops reading an oversized sign-in body at the cap (413), whatever its Origin claims", async () => {
    const upload = endlessUpload();
    const req = streamedPost(`${TEST_ORIGIN}/api/auth/sign-in/email`, upload.body, { origin: TEST_ORIGIN });
    const res = await webHandler((r) => handleAuthRequest(handle.db, r))(req, undefined);
    expect(res.status).toBe(413);
    expect(upload.pulled()).toBeLessThanOrEqual(2);
  });

  it("serves only the endpoints Pitwall uses: no public sign-up or password-reset mail", async () => {
    for (const path of ["/sign-up/email", "/request-password-reset", "/delete-user", "/update-user", "/verify-password", "/sign-in/social"]) {
      expect((await auth(path, { method: "POST", body: {} })).status).toBe(404);
    }
  });
});

describe("login rate limit", () => {
  const limits = (over: Partial<LoginLimits>): LoginLimits => ({ ...DEFAULT_LOGIN_LIMITS, ...over });

  it("after the free failures from one address for one account, even the right password waits (429 + Retry-After)", async () => {
    setLoginRateLimiter(new LoginRateLimiter(memoryLimiters(), limits({ perClient: { free: 3, maxDelaySec: 900, baseDelaySec: 60 } })));
    const user = await signedInUser(handle.db);
    const ip = "192.0.2.10";
    for (let i = 0; i < 4; i++) expect((await attempt(user.email, `guess number ${i}`, ip)).status).toBe(401);
    // The 4th failure started a wait: the right password is refused during it.
    const blocked = await attempt(user.email, user.password, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(30);
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toMatch(/wait (\d+ seconds|1 minutes?)/i);
    // Another address is not slowed for that account.
    expect((await attempt(user.email, user.password, "192.0.2.11")).status).toBe(200);
  });

  it("each attempt past the free ones waits twice as long as the one before", async () => {
    const limiter = new LoginRateLimiter(memoryLimiters(), limits({ perClient: { free: 1, maxDelaySec: 900 } }));
    await limiter.consume("192.0.2.30", "d@example.com"); // free
    await limiter.consume("192.0.2.30", "d@example.com"); // starts a 1 s wait
    const first = await limiter.consume("192.0.2.30", "d@example.com").catch((e: AppError) => e);
    expect(first).toMatchObject({ status: 429, retryAfter: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    await limiter.consume("192.0.2.30", "d@example.com"); // allowed again, and starts a longer wait
    const second = await limiter.consume("192.0.2.30", "d@example.com").catch((e: AppError) => e);
    expect(second).toMatchObject({ status: 429 });
    expect((second as AppError).retryAfter).toBeGreaterThanOrEqual(4);
  });

  it("the delay doubles from 1 s up to its cap", () => {
    const limit = { free: 5, maxDelaySec: 900 };
    expect([1, 5, 6, 7, 8, 15, 40, 1e6].map((n) => loginDelaySec(n, limit))).toEqual([0, 0, 1, 2, 4, 512, 900, 900]);
  });

  it("50 failures from anywhere do not lock the admin out of their known client (default limits)", async () => {
    setLoginRateLimiter(new LoginRateLimiter(memoryLimiters()));
    const admin = await signedInUser(handle.db);
    const home = "192.0.2.20";
    expect((await attempt(admin.email, admin.password, home)).status).toBe(200);
    for (let i = 0; i < 50; i++) await attempt(admin.email, "wrong password!", `203.0.113.${i}`);
    expect((await attempt(admin.email, admin.password, home)).status).toBe(200);
    // Clients the account has never used are slowed: at most one attempt per delay window.
    await attempt(admin.email, "wrong password!", "198.51.100.7");
    const slowed = await attempt(admin.email, admin.password, "198.51.100.8");
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get("retry-after"))).toBeGreaterThan(0);
  }, 120_000); // 50 password checks

  it("counts one address across accounts (password spraying)", async () => {
    setLoginRateLimiter(new LoginRateLimiter(memoryLimiters(), limits({ perIp: { points: 6, duration: 60 } })));
    for (let i = 0; i < 6; i++) await attempt(`spray${i}@example.com`, "wrong password!", "203.0.113.200");
    expect((await attempt("spray-next@example.com", "wrong password!", "203.0.113.200")).status).toBe(429);
  });

  it("a successful sign-in does not use up the budget", async () => {
    setLoginRateLimiter(
      new LoginRateLimiter(memoryLimiters(), {
        perClient: { free: 1, maxDelaySec: 60 },
        perAccount: { free: 1, maxDelaySec: 60 },
        perIp: { points: 3, duration: 60 },
        knownClientDays: 1,
      }),
    );
    const user = await signedInUser(handle.db);
    for (let i = 0; i < 6; i++) expect((await attempt(user.email, user.password, "192.0.2.50")).status).toBe(200);
  });
});

describe("sessions", () => {
  it("sign-out ends the session on the server, not just in the browser", async () => {
    const user = await signedInUser(handle.db);
    expect(await getSessionUser(handle.db, new Headers({ cookie: user.cookie }))).not.toBeNull();
    const res = await auth("/sign-out", { method: "POST", cookie: user.cookie, body: {} });
    expect(res.status).toBe(200);
    expect(await getSessionUser(handle.db, new Headers({ cookie: user.cookie }))).toBeNull();
  });

  it("changes the password with the current one, and the old password stops working", async () => {
    const user = await signedInUser(handle.db);
    const wrong = await auth("/change-password", { method: "POST", cookie: user.cookie, body: { currentPassword: "not it at all", newPassword: "brand new password" } });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const res = await auth("/change-password", {
      method: "POST",
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "brand new password", revokeOtherSessions: true },
    });
    expect(res.status).toBe(200);
    await expect(signIn(handle.db, user.email, user.password)).rejects.toThrow(/401/);
    expect(await signIn(handle.db, user.email, "brand new password")).toMatch(/session_token/);
  });

  it("refuses a new password that is too short", async () => {
    const user = await signedInUser(handle.db);
    const res = await auth("/change-password", { method: "POST", cookie: user.cookie, body: { currentPassword: user.password, newPassword: "short" } });
    expect(res.status).toBe(400);
  });

  it("a forged or tampered session cookie is simply not signed in", async () => {
    const user = await signedInUser(handle.db);
    const tampered = user.cookie.replace(/session_token=([^;.]+)/, "session_token=AAAA$1");
    expect(await getSessionUser(handle.db, new Headers({ cookie: tampered }))).toBeNull();
    expect(await getSessionUser(handle.db, new Headers({ cookie: "pitwall.session_token=' or 1=1 --" }))).toBeNull();
    const res = await auth("/get-session", { cookie: cookieHeaderFrom(new Response(null, { headers: { "set-cookie": "pitwall.session_token=x.y" } })) });
    expect(res.status).toBe(200);
    expect(await res.json()).toBeNull();
  });
});
