import { Router, type Request, type Response } from 'express';
import createError from 'http-errors';
import { hashPassword } from '../auth/password.ts';
import type { StartSession } from '../auth/start-session.ts';
import type { Feature } from '../features/feature.ts';
import { formBody, formProblems, typedValue } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { invitationAcceptance } from './account-schemas.ts';
import type { AccountHashing } from './hashing.ts';
import type { Invitation } from './invitation.ts';
import { invitationPage } from './invitation-page.ts';
import type { InvitationsRepository } from './invitations-repository.ts';
import { tokenOf, tokenPathsUnlogged } from './token-links.ts';
import { UsernameTakenError } from './user.ts';

export interface InvitationFeatureOptions {
  invitations: InvitationsRepository;
  hashing: AccountHashing;
  startSession: StartSession;
}

const GONE =
  'This invitation link is unknown, used or expired: ask whoever invited you for a new one.';

/**
 * Accepting an invitation: GET /invite/<token> shows the form, POST creates the user (the token
 * used in the same transaction), signs them in and answers 303 to `/`. A token unknown, used or
 * expired, or another tenant's, is 410.
 */
export function invitationFeature({
  invitations,
  hashing,
  startSession,
}: InvitationFeatureOptions): Feature {
  const open = async (req: Request): Promise<{ token: string; invitation: Invitation }> => {
    const token = tokenOf(req, GONE);
    const invitation = await invitations.find(req.tenant.id, token);
    if (!invitation) throw createError(410, GONE);
    return { token, invitation };
  };
  const show = (
    req: Request,
    res: Response,
    invitation: Invitation,
    status = 200,
    options = {},
  ) => {
    res.setHeader('Cache-Control', 'no-store');
    const body = invitationPage(req.tenant, invitation, req.originalUrl, options);
    sendPage(req, res, { title: `Join ${req.tenant.name}`, body, status });
  };

  const pages = Router();
  pages.get('/:token', async (req, res) => show(req, res, (await open(req)).invitation));
  pages.post('/:token', formBody({ fields: 4 }), async (req, res) => {
    const { token, invitation } = await open(req);
    const input = invitationAcceptance.safeParse(req.body);
    if (!input.success) {
      const displayName = typedValue(req.body, 'displayName', 100);
      return show(req, res, invitation, 400, { problems: formProblems(input.error), displayName });
    }
    const passwordHash = await hashing(req, res, () => hashPassword(input.data.password));
    const user = await invitations
      .consume(req.tenant.id, token, { passwordHash, displayName: input.data.displayName })
      .catch((err: unknown) => {
        throw err instanceof UsernameTakenError ? createError(409, err.message) : err;
      });
    if (!user) throw createError(410, GONE);
    await startSession(req, user);
    res.redirect(303, '/');
  });

  return { prefix: '/invite', beforeSession: tokenPathsUnlogged('/invite'), pages };
}
