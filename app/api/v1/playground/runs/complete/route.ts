import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { postRunComplete } from "@/lib/playground/http/experiments-handlers";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postRunComplete(getDb(), req));
