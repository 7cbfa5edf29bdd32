import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getMyProjects, postProject } from "@/lib/projects/http/projects-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getMyProjects(getDb(), req));
export const POST = webHandler((req) => postProject(getDb(), req));
