import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getExperimentList } from "@/lib/playground/http/experiments-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getExperimentList(getDb(), req));
