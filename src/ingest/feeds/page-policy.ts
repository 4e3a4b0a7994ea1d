import { BlockList, isIP } from 'node:net';

/**
 * Which pages a feed may make the bot fetch. A feed's item links come from whoever writes the
 * feed: one linking to `http://10.0.0.5/admin` or `http://localhost:9200/` would have the bot
 * fetch a private page and publish its text as an article. So a page may be on the feed's own
 * host (which the operator chose, local or not), or on any public host; never on a private,
 * loopback or link-local address by IP literal or by a local name. Checked for the item link
 * and for every redirect. (A public name that resolves to a private address is not caught here;
 * a firewall rule for the bot's user is the place for that.)
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|lan|home|intranet)$/i;

/** Whether a host name is a private, loopback or link-local address, or a local name. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const version = isIP(host);
  if (version === 4) return PRIVATE.check(host, 'ipv4');
  if (version === 6) return PRIVATE.check(host, 'ipv6');
  return LOCAL_NAMES.test(host) || !host.includes('.');
}

/** Why the bot must not fetch `page` for the feed at `feed`, or null when it may. */
export function pageRefusal(page: URL, feed: URL): string | null {
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return `${page.protocol} links are not fetched`;
  if (page.hostname === feed.hostname) return null;
  if (isPrivateHost(page.hostname)) return `${page.hostname} is a private or local address; a feed's links may only lead there on the feed's own host`;
  return null;
}
