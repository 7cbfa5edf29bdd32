import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { postRun } from "@/lib/playground/http/experiments-handlers";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postRun(getDb(), req));
