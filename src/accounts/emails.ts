import type { Tenant } from '../tenants/tenant.ts';
import { utcMinute } from '../web/text.ts';
import type { Email } from './mailer.ts';

/** The invitation, to the address the inviter gave. */
export function invitationEmail(
  tenant: Tenant,
  to: string,
  { url, expiresAt, inviter }: { url: string; expiresAt: string; inviter: string },
): Email {
  return {
    to,
    subject: `You are invited to ${tenant.name}`,
    text: [
      `${inviter} invited you to ${tenant.name}.`,
      '',
      'Open this link to choose your password and sign in:',
      '',
      url,
      '',
      `It works once, until ${utcMinute(expiresAt)}.`,
    ].join('\n'),
  };
}

/** The reset link, to the user's own address. */
export function passwordResetEmail(
  tenant: Tenant,
  to: string,
  { url, expiresAt, username }: { url: string; expiresAt: string; username: string },
): Email {
  return {
    to,
    subject: `Reset your password at ${tenant.name}`,
    text: [
      `Someone asked to reset the password of ${username} at ${tenant.name}.`,
      '',
      'To choose a new password, open this link:',
      '',
      url,
      '',
      `It works once, until ${utcMinute(expiresAt)}. Choosing a new password signs you out everywhere.`,
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ].join('\n'),
  };
}
