import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getExperimentDetail, type ExperimentContext } from "@/lib/playground/http/experiments-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler<ExperimentContext>((req, ctx) => getExperimentDetail(getDb(), req, ctx));
