import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { postSetup } from "@/lib/auth/http/setup-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postSetup(getDb(), req));
