import type { z } from "zod";
import { AppError } from "../../errors";
import { readJson } from "../../http/web-handler";
import { firstIssue } from "../schemas";

/** Reads a small JSON body and parses it with `schema`; a clear 400 when it does not fit. */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S, maxBytes = 16 * 1024): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await readJson(req, maxBytes));
  if (!parsed.success) throw new AppError("bad_request:body", firstIssue(parsed.error));
  return parsed.data;
}

/** `?project=<slug>` of a request. */
export function projectParam(req: Request): string | null {
  return new URL(req.url).searchParams.get("project");
}

/** JSON answer with several Set-Cookie headers (Response.json cannot take a list). */
export function jsonWithCookies(body: unknown, status: number, cookies: string[]): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(JSON.stringify(body), { status, headers });
}
