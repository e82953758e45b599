// Who is acting on the admin API: the holder of the admin token (a machine credential, role
// operator) or a named account signed in with a session (`account:<name>`, its own role).
// The shell authenticates every request once and records the principal here; capability files
// only ask `adminActor(request)`.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../accounts/index.js';
import type { Session } from './admin-session.js';

/** The authenticated identity behind every admin decision made with the admin token. */
export const ADMIN_ACTOR = 'admin-api:token-holder';

export interface AdminPrincipal {
  actor: string;
  role: Role;
  /** Present when signed in with a session cookie (then non-GET requests need its CSRF token). */
  session?: Session;
}

const principals = new WeakMap<FastifyRequest, AdminPrincipal>();

export function setAdminPrincipal(request: FastifyRequest, principal: AdminPrincipal): void {
  principals.set(request, principal);
}

export function adminPrincipal(request: FastifyRequest): AdminPrincipal | undefined {
  return principals.get(request);
}

/** Who is acting on this admin request (authenticated by the admin shell's hook). */
export function adminActor(request: FastifyRequest): string {
  const principal = principals.get(request);
  // Never a default identity: a route reached without the shell's check is a bug, not the token holder.
  if (!principal) throw new Error('adminActor: the request was not authenticated by the admin shell');
  return principal.actor;
}

export function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}
