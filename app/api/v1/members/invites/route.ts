import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getInvites, postInvite } from "@/lib/projects/http/members-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getInvites(getDb(), req));
export const POST = webHandler((req) => postInvite(getDb(), req));
