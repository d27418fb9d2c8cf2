/**
 * Who a request is: the guest named by a valid signed cookie. Issues identities (a nickname gives a
 * new guest and its cookie), renames, and answers "who is this Cookie header" for HTTP routes and
 * the Socket.IO handshake alike.
 */
import { z } from 'zod';
import { UserFacingError } from '../errors';
import type { Db } from '../db';
import { Limits } from '../limits';
import type { Moderation } from '../moderation';
import { NicknameSchema } from '../../lib/protocol';
import { GUEST_COOKIE, guestCookieHeader, parseCookies, verifyGuestCookie } from './cookie';

export interface GuestIdentity {
  id: string;
  nickname: string;
  /** When the guest was created (new guests may not vote at once). */
  createdAt: Date;
}

/** Why a request has no identity: no cookie, a cookie we did not sign, or a guest no longer stored. */
export type IdentityProblem = 'missing' | 'forged' | 'unknown';

export type Identified = { guest: GuestIdentity; problem: null } | { guest: null; problem: IdentityProblem };

export const IDENTITY_PROBLEMS: Record<IdentityProblem, string> = {
  missing: 'Pick a nickname first: voting, galleries and collections need a guest identity.',
  forged: 'Your guest cookie was not issued by this server; pick a nickname again to get a new one.',
  unknown: 'Your guest identity is not known here (the database was reset?); pick a nickname again.',
};

/** The same nickname rules as everywhere (lib/protocol/common.ts TextSchema). */
export const GuestNicknameSchema = NicknameSchema;

export class Guests {
  constructor(
    private readonly getDb: () => Promise<Db>,
    private readonly secret: string,
    private readonly limits: Limits = new Limits(),
    private readonly moderation?: Moderation,
  ) {}

  async identify(cookieHeader: string | undefined): Promise<Identified> {
    const raw = parseCookies(cookieHeader).get(GUEST_COOKIE);
    if (raw === undefined) return { guest: null, problem: 'missing' };
    const id = verifyGuestCookie(raw, this.secret);
    if (!id) return { guest: null, problem: 'forged' };
    const guest = await (await this.getDb()).guest.findUnique({
      where: { id },
      select: { id: true, nickname: true, createdAt: true },
    });
    return guest ? { guest, problem: null } : { guest: null, problem: 'unknown' };
  }

  /**
   * Renames the guest of a valid cookie, or creates a new guest (a few per minute per client
   * address: server/limits.ts identityCreate). Returns the Set-Cookie header to send (always, so the
   * cookie's lifetime restarts); Secure when the client came over HTTPS.
   */
  async choose(
    cookieHeader: string | undefined,
    nicknameInput: unknown,
    client: { address: string; secure: boolean } = { address: 'unknown', secure: false },
  ): Promise<{ guest: GuestIdentity; setCookie: string }> {
    const parsed = GuestNicknameSchema.safeParse(nicknameInput);
    if (!parsed.success)
      throw new UserFacingError(parsed.error.issues[0]?.message ?? 'Choose a nickname of 1-24 characters.');
    const nickname = parsed.data;
    if (this.moderation && (await this.moderation.ready(), this.moderation.isHidden('nickname', nickname))) {
      throw new UserFacingError('That nickname was hidden by a moderator; choose another one.');
    }
    const db = await this.getDb();
    const current = await this.identify(cookieHeader);
    await this.limits.take(current.guest ? 'identityRename' : 'identityCreate', {
      guest: current.guest?.id ?? null,
      address: client.address,
    });
    const select = { id: true, nickname: true, createdAt: true } as const;
    const guest = current.guest
      ? await db.guest.update({ where: { id: current.guest.id }, data: { nickname }, select })
      : await db.guest.create({ data: { nickname }, select });
    return { guest, setCookie: guestCookieHeader(guest.id, this.secret, client.secure) };
  }
}

export const ChooseNicknameBody = z.object({ nickname: z.unknown() }).strict();
