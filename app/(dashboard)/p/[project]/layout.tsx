import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { getProjectBySlug } from "@/lib/projects/project-queries";
import { AppShell } from "@/components/shell/app-shell";

export const dynamic = "force-dynamic";

export default async function ProjectLayout({ children, params }: { children: React.ReactNode; params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const project = await getProjectBySlug(getDb(), slug);
  if (!project) notFound();
  return (
    <AppShell projectSlug={project.slug} projectName={project.name}>
      {children}
    </AppShell>
  );
}
