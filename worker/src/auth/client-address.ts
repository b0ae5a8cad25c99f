/** The key for a request whose address is missing or unreadable: such requests share one counter. */
export const UNKNOWN_CLIENT = "unknown";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-f]{1,4}$/;

function ipv4(address: string): string | null {
  const octets = IPV4.exec(address)?.slice(1).map(Number);
  return octets?.every((octet) => octet <= 255) ? octets.join(".") : null;
}

/** The /64 an IPv6 address lies in, e.g. `2001:db8:0:1::/64`, or null when it is not one. */
function ipv6Prefix(address: string): string | null {
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return null;
  const [head = [], tail = []] = halves.map((half) => (half ? half.split(":") : []));
  const last = halves.length === 2 ? tail : head;
  // A trailing dotted IPv4 part fills the last two groups, which a /64 does not look at.
  if (ipv4(last.at(-1) ?? "")) last.splice(-1, 1, "0", "0");
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => HEXTET.test(group))) return null;
  const prefix = groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(":")}::/64`;
}

/**
 * Whom a throttle counts a request against: the address that connected, from `cf-connecting-ip`,
 * which Cloudflare sets itself (under `wrangler dev` a client can send its own). An IPv6 address
 * counts as its /64, since one subscriber usually holds a whole /64. `x-forwarded-for` is never
 * read: anyone can write it.
 */
export function clientAddress(request: Request): string {
  const address = request.headers.get("cf-connecting-ip")?.trim() ?? "";
  const mapped = /^::ffff:(.+)$/i.exec(address)?.[1];
  return ipv4(mapped ?? address) ?? ipv6Prefix(address) ?? UNKNOWN_CLIENT;
}
