import Link from "next/link";
import { getDb } from "@/db/client";
import { isAdminAnywhere } from "@/lib/projects/members";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/components/shell/project-access";
import { NewProjectForm } from "./client";

export const dynamic = "force-dynamic";

/** Admins of any project may create another; they become its first admin. */
export default async function NewProjectPage() {
  const user = await requireUser("/projects/new");
  const allowed = await isAdminAnywhere(getDb(), user.userId);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">New project</h1>
      {allowed ? (
        <NewProjectForm />
      ) : (
        <Card className="text-sm">
          Only project admins can create projects.{" "}
          <Link className="underline" href="/">
            Back
          </Link>
        </Card>
      )}
    </div>
  );
}
