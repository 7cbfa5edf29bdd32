import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getKeys, postKey } from "@/lib/auth/http/keys-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getKeys(getDb(), req));
export const POST = webHandler((req) => postKey(getDb(), req));
