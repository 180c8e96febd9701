/** Who is calling the console or admin API. */
export type Principal =
  | { kind: 'employee'; id: string; email: string; role: 'admin' | 'manager'; via: 'session' | 'token' }
  | { kind: 'affiliate_user'; id: string; email: string; affiliateId: string; via: 'session' };

export type Role = 'admin' | 'manager' | 'affiliate';

export function roleOf(principal: Principal): Role {
  return principal.kind === 'employee' ? principal.role : 'affiliate';
}

/** The event metadata actor for a principal. */
export function actorOf(principal: Principal): { kind: 'employee' | 'affiliate'; id: string } {
  return principal.kind === 'employee' ? { kind: 'employee', id: principal.id } : { kind: 'affiliate', id: principal.affiliateId };
}
