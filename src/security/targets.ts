import ipaddr from 'ipaddr.js';

/**
 * Whether an outbound URL's host is a private, loopback, link-local or otherwise internal
 * address (checked on the literal host here; the HTTP client checks resolved addresses at
 * call time too). CRMs and postback receivers live on the public internet unless
 * ALLOW_PRIVATE_TARGETS says otherwise.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  if (!ipaddr.isValid(host)) return false;
  return isPrivateAddress(host);
}

export function isPrivateAddress(address: string): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() !== 'unicast';
}

export type TargetProblem = 'not_http' | 'private' | 'credentials';

/** Why an outbound URL is refused, or undefined when it is acceptable. */
export function targetProblem(url: string, options: { allowPrivate: boolean; sandboxBase?: string }): TargetProblem | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not_http';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'not_http';
  if (parsed.username || parsed.password) return 'credentials';
  if (options.sandboxBase && url.startsWith(`${options.sandboxBase}/sandbox/`)) return undefined;
  if (!options.allowPrivate && isPrivateHost(parsed.hostname)) return 'private';
  return undefined;
}

/** How the API explains a refused target, after the field name. */
export const TARGET_MESSAGES: Record<TargetProblem, string> = {
  not_http: 'must be an http or https URL',
  private: 'points at a private, loopback or link-local address (set ALLOW_PRIVATE_TARGETS=true to allow)',
  credentials: 'must not carry credentials; put them in a header',
};
