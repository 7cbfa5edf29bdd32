import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { postAcceptInvite } from "@/lib/projects/http/members-handlers";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postAcceptInvite(getDb(), req));
