import Link from "next/link";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors";
import { findPendingInvite, type InviteInfo } from "@/lib/projects/invites";
import { Card } from "@/components/ui/card";
import { currentUser } from "@/components/shell/project-access";
import { AcceptAsUser, AcceptWithAccount } from "./client";

export const dynamic = "force-dynamic";

/** A one-time invitation link: join as the signed-in user, or create an account with it. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let invite: InviteInfo;
  try {
    invite = await findPendingInvite(getDb(), token);
  } catch (err) {
    if (!(err instanceof AppError) || err.type !== "not_found") throw err;
    return (
      <Card className="space-y-2" data-testid="invite-invalid">
        <h1 className="text-xl font-semibold">Invitation not valid</h1>
        <p className="text-sm">{err.message}</p>
        <Link href="/sign-in" className="text-sm underline">
          Go to sign-in
        </Link>
      </Card>
    );
  }
  const user = await currentUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Join {invite.projectName}</h1>
        <p className="mt-1 text-sm text-[var(--muted)]" data-testid="invite-summary">
          You are invited as <strong>{invite.role}</strong>
          {invite.email ? (
            <>
              {" "}
              (for <strong>{invite.email}</strong>)
            </>
          ) : null}
          .
        </p>
      </div>
      {user ? (
        <AcceptAsUser token={token} email={user.email} />
      ) : (
        <>
          <AcceptWithAccount token={token} email={invite.email} />
          <p className="text-sm text-[var(--muted)]">
            Already have an account?{" "}
            <Link className="underline" href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`}>
              Sign in first
            </Link>
            , then open this link again.
          </p>
        </>
      )}
    </div>
  );
}
