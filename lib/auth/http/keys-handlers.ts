import type { Db } from "@/db/client";
import { AppError } from "../../errors";
import { json } from "../../http/web-handler";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys";
import { authenticate } from "../caller";
import { CreateKeyBody, UuidParam } from "../schemas";
import { parseBody, projectParam } from "./parse";

/** GET /api/v1/keys?project=: the project's keys, never their secrets (admins). */
export async function getKeys(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  return json({ keys: await listApiKeys(db, caller.projectId) });
}

/** POST /api/v1/keys?project=: creates a key; the answer is the only place its secret appears. */
export async function postKey(db: Db, req: Request): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  if (caller.kind !== "user") throw new AppError("forbidden:api_key", "Keys are made by signed-in admins.");
  const body = await parseBody(req, CreateKeyBody);
  const key = await createApiKey(db, { projectId: caller.projectId, name: body.name, scopes: body.scopes, createdBy: caller.userId });
  return json({ key: { id: key.id, name: body.name, scopes: body.scopes, displayPrefix: key.displayPrefix }, secret: key.secret }, { status: 201 });
}

/** DELETE /api/v1/keys/<id>?project=: revokes a key of this project (404 for any other id). */
export async function deleteKey(db: Db, req: Request, keyId: string): Promise<Response> {
  const caller = await authenticate(db, req, { role: "admin", projectSlug: projectParam(req) });
  if (!UuidParam.safeParse(keyId).success) throw new AppError("not_found:api_key", "No active key with that id in this project.");
  await revokeApiKey(db, { projectId: caller.projectId, keyId });
  return json({ revoked: true });
}
