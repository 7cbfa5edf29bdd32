import nodemailer from "nodemailer";
import type { Role } from "./roles";
import { log } from "../log";

/**
 * Optional invitation e-mail. Pitwall assumes no mail server (the admin copies the one-time
 * link), but when PITWALL_SMTP_URL (smtp[s]://user:pass@host:port) and PITWALL_SMTP_FROM are set,
 * an invitation addressed to someone is also mailed to them.
 */
export type InviteMail = { to: string; url: string; projectName: string; role: Role; invitedBy: string };
export type InviteMailer = { send: (mail: InviteMail) => Promise<void> };

export function inviteMailerFromEnv(env: NodeJS.ProcessEnv = process.env): InviteMailer | null {
  const url = env.PITWALL_SMTP_URL;
  const from = env.PITWALL_SMTP_FROM;
  if (!url || !from) return null;
  const transport = nodemailer.createTransport(url, { from });
  return {
    send: async (mail) => {
      await transport.sendMail({
        to: mail.to,
        subject: `You are invited to ${mail.projectName} on Pitwall`,
        text: [
          `${mail.invitedBy} invited you to the Pitwall project "${mail.projectName}" as ${mail.role}.`,
          "",
          `Open this link to join (it works once and expires in 7 days):`,
          mail.url,
        ].join("\n"),
      });
    },
  };
}

/** Sends when a mailer is configured; a mail failure never fails the invitation (the link stands). */
export async function mailInvite(mailer: InviteMailer | null, mail: InviteMail): Promise<boolean> {
  if (!mailer) return false;
  try {
    await mailer.send(mail);
    return true;
  } catch (err) {
    log.warn({ err, to: mail.to }, "invitation e-mail failed; the link is still shown to the admin");
    return false;
  }
}
