/**
 * HTTP routes of guest identity: `GET /api/identity` (who am I: the guest or the reason there is
 * none) and `POST /api/identity` `{ nickname }` (pick or change the nickname; sets the signed,
 * httpOnly cookie).
 */
import type { ApiRoute } from '../http/api';
import { ChooseNicknameBody, IDENTITY_PROBLEMS, type Guests } from './guests';
import { ApiError } from '../http/api';

export function identityRoutes(guests: Guests): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'identity',
      handler: async (req) => {
        const found = await guests.identify(req.cookie);
        return {
          body: found.guest
            ? { guest: { id: found.guest.id, nickname: found.guest.nickname } }
            : { guest: null, problem: found.problem, message: IDENTITY_PROBLEMS[found.problem] },
        };
      },
    },
    {
      method: 'POST',
      pattern: 'identity',
      handler: async (req) => {
        const body = ChooseNicknameBody.safeParse(req.body);
        if (!body.success) throw new ApiError(400, 'Send { "nickname": "..." } and nothing else.');
        const { guest, setCookie } = await guests.choose(req.cookie, body.data.nickname, {
          address: req.address,
          secure: req.secure,
        });
        return { body: { guest: { id: guest.id, nickname: guest.nickname } }, headers: { 'set-cookie': setCookie } };
      },
    },
  ];
}
