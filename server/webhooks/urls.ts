import net from "node:net";

/**
 * Which endpoint URLs the relay accepts and which addresses it connects to. https only, except on
 * loopback when WEBHOOK_ALLOW_LOOPBACK is set (then http too); no credentials or fragment in the URL.
 * Private networks need WEBHOOK_ALLOW_PRIVATE; link-local (cloud metadata services), unspecified,
 * multicast and reserved addresses are always refused. The same rules apply to every address a host
 * name resolves to, at each connection (delivery.ts), so a name cannot be pointed inside later.
 */
export interface UrlPolicy {
  allowLoopback: boolean;
  allowPrivate: boolean;
}

export type AddressClass = "public" | "loopback" | "private" | "forbidden";

export class WebhookUrlError extends Error {
  override name = "WebhookUrlError";
}

export const MAX_URL_LENGTH = 2048;

function blockList(subnets: [string, number, "ipv4" | "ipv6"][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix, type] of subnets) list.addSubnet(address, prefix, type);
  return list;
}

const LOOPBACK = blockList([
  ["127.0.0.0", 8, "ipv4"],
  ["::1", 128, "ipv6"],
]);
const PRIVATE = blockList([
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["fc00::", 7, "ipv6"],
]);
const FORBIDDEN = blockList([
  ["0.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
]);

/** The class of an IP address (IPv4-mapped IPv6 addresses count as their IPv4 address). */
export function classifyAddress(address: string): AddressClass {
  const type = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : undefined;
  if (!type) return "forbidden";
  if (FORBIDDEN.check(address, type)) return "forbidden";
  if (LOOPBACK.check(address, type)) return "loopback";
  if (PRIVATE.check(address, type)) return "private";
  return "public";
}

/** Why the policy refuses `address`, or undefined when it may be connected to. */
export function refusalOf(address: string, policy: UrlPolicy): string | undefined {
  const c = classifyAddress(address);
  if (c === "forbidden") return `${address} is a link-local, unspecified, multicast or reserved address`;
  if (c === "loopback" && !policy.allowLoopback) return `${address} is a loopback address (WEBHOOK_ALLOW_LOOPBACK is off)`;
  if (c === "private" && !policy.allowPrivate) return `${address} is on a private network (WEBHOOK_ALLOW_PRIVATE is off)`;
  return undefined;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();

function isLoopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** Parses and checks an endpoint URL; throws a WebhookUrlError that says why it is refused. */
export function checkEndpointUrl(raw: string, policy: UrlPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) throw new WebhookUrlError(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError("not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookUrlError("the URL must be https://");
  if (url.username || url.password) throw new WebhookUrlError("the URL must not carry credentials");
  if (url.hash) throw new WebhookUrlError("the URL must not carry a fragment");
  const host = hostOf(url);
  const ip = net.isIP(host) ? host : undefined;
  const loopback = ip ? classifyAddress(ip) === "loopback" : isLoopbackName(host);
  if (url.protocol === "http:" && !(loopback && policy.allowLoopback)) throw new WebhookUrlError("the URL must be https:// (http:// only on loopback, when allowed)");
  if (ip) {
    const refusal = refusalOf(ip, policy);
    if (refusal) throw new WebhookUrlError(refusal);
  } else if (loopback && !policy.allowLoopback) {
    throw new WebhookUrlError(`${host} is a loopback name (WEBHOOK_ALLOW_LOOPBACK is off)`);
  } else if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    throw new WebhookUrlError(`${host} is not a valid host name`);
  }
  return url;
}
