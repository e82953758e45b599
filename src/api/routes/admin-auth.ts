// Who is acting on the admin API. Today one identity: the holder of the admin token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The authenticated identity behind every admin decision made with the admin token. */
export const ADMIN_ACTOR = 'admin-api:token-holder';

/** Who is acting on this admin request (authenticated by the admin shell's hook). */
export function adminActor(_request: FastifyRequest): string {
  return ADMIN_ACTOR;
}

export function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}
