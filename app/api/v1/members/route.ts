import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getMembers } from "@/lib/projects/http/members-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getMembers(getDb(), req));
