/**
 * The client address a request came from: `CF-Connecting-IP`, which
 * Cloudflare's edge sets (overwriting whatever the client sent). Under
 * `wrangler dev` it is the TCP peer's address unless the client sent the
 * header itself, which then wins: fine for tests, never trusted in
 * production beyond what the edge guarantees.
 *
 * An address is personal data: it is only ever used to count and to hash
 * (see `addressKey`), never stored or logged as it is.
 */
export function clientAddress(request: Request): string {
  const address = request.headers.get("CF-Connecting-IP")?.trim() ?? "";
  if (address === "") return "unknown";
  // An IPv6 client controls its whole /64: count it as one address.
  return address.includes(":") ? ipv6Prefix(address) : address;
}

/** The first four groups (/64) of an IPv6 address, expanded. */
function ipv6Prefix(address: string): string {
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::") ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
