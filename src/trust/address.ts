// Outbound requests to addresses a requester chose (reply_url, did:web hosts, status lists) go to
// public addresses only: the host is resolved, every address checked (loopback, private,
// link-local, unique-local, multicast, reserved, IPv4-mapped forms), and the connection pinned to
// the checked address so a second DNS answer cannot point it elsewhere. Decimal or hex IPv4 forms
// are normalised by the URL parser before the check.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, bits, 'ipv6');

// BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 rules by itself.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export class AddressError extends Error {}

export interface AddressPolicy {
  /** Loopback targets too (tests, the demo); private and link-local ranges stay refused. */
  allowLoopback: boolean;
  /** Private, loopback and link-local targets too: an export endpoint on the organisation's own LAN, opted in per connection. */
  allowPrivate?: boolean;
}

// Never a target, whatever the policy: "this network", multicast and reserved ranges.
const never = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) never.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['ff00::', 8]] as const) never.addSubnet(net, bits, 'ipv6');

/** Whether `address` (an IP literal) may be connected to under `policy`. */
export function allowedAddress(address: string, policy: AddressPolicy): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (policy.allowPrivate) return !never.check(address, type);
  if (policy.allowLoopback && loopback.check(address, type)) return true;
  return !blocked.check(address, type);
}

/** The URL's host as an IP literal, or undefined for a name (brackets of IPv6 removed). */
export function literalHost(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

/** The address to connect to for `url`: every address of its host must be allowed. */
export async function resolveAllowed(url: URL, policy: AddressPolicy): Promise<{ address: string; family: 4 | 6 }> {
  const literal = literalHost(url);
  const answers = literal ? [{ address: literal, family: isIP(literal) }] : await lookup(url.hostname, { all: true, verbatim: true }).catch(() => []);
  if (answers.length === 0) throw new AddressError('the host does not resolve');
  for (const a of answers) if (!allowedAddress(a.address, policy)) throw new AddressError('the host resolves to an address that is not public');
  return { address: answers[0]!.address, family: answers[0]!.family === 6 ? 6 : 4 };
}
