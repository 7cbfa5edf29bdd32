import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getPolicies } from "@/lib/policies/http/policies-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getPolicies(getDb(), req));
