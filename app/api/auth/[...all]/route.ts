import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleAuthRequest } from "@/lib/auth/http/auth-handler";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleAuthRequest(getDb(), req));
export const POST = webHandler((req) => handleAuthRequest(getDb(), req));
