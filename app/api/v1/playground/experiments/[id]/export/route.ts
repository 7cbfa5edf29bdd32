import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getExperimentExport, type ExperimentContext } from "@/lib/playground/http/experiments-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler<ExperimentContext>((req, ctx) => getExperimentExport(getDb(), req, ctx));
