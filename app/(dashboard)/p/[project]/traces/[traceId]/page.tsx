import { requireProjectAccess } from "@/components/shell/project-access";
import { TraceClient } from "./client";

export const dynamic = "force-dynamic";

/** One trace: its LLM and tool calls on a time axis, the critical path and parallelism hints. */
export default async function TracePage({ params }: { params: Promise<{ project: string; traceId: string }> }) {
  const { project, traceId } = await params;
  await requireProjectAccess(project);
  return <TraceClient projectSlug={project} traceId={decodeURIComponent(traceId)} />;
}
