// Which IP addresses a webhook may not reach (SSRF; decision 0022): everything that is not a
// public unicast address — private, shared (CGNAT), loopback, link-local, unique-local,
// multicast, unspecified, documentation and reserved ranges — in IPv4 and IPv6, with IPv4 written
// inside IPv6 (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
// judged by the IPv4 address it carries. Pure: the DNS lookups are in ssrf.server.ts.
import { isIP } from "node:net";

export type AddressClass =
  | "public"
  | "private"
  | "shared"
  | "loopback"
  | "link-local"
  | "unique-local"
  | "multicast"
  | "unspecified"
  | "reserved"
  | "invalid";

export const ADDRESS_CLASS_LABELS: Record<Exclude<AddressClass, "public">, string> = {
  private: "プライベートアドレス",
  shared: "共有アドレス（CGNAT）",
  loopback: "ループバックアドレス",
  "link-local": "リンクローカルアドレス",
  "unique-local": "ユニークローカルアドレス",
  multicast: "マルチキャストアドレス",
  unspecified: "未指定アドレス",
  reserved: "予約済みアドレス",
  invalid: "IPアドレスとして読めない値",
};

function ipv4Octets(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    return null;
  return parts.map(Number);
}

/** IPv4 (CIDR tables from RFC 6890 and the IANA special-purpose registry). */
export function classifyIPv4(text: string): AddressClass {
  const o = ipv4Octets(text);
  if (!o) return "invalid";
  const [a, b, c] = o;
  if (a === 0) return o.every((x) => x === 0) ? "unspecified" : "reserved"; // 0.0.0.0/8 "this network"
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b >= 64 && b <= 127) return "shared";
  if (a === 127) return "loopback";
  if (a === 169 && b === 254) return "link-local";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved"; // 240/4 and the broadcast address
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return "reserved"; // IETF protocol assignments, TEST-NET-1
  if (a === 198 && (b === 18 || b === 19)) return "reserved"; // benchmarking
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113))
    return "reserved"; // TEST-NET-2/3
  if (a === 192 && b === 88 && c === 99) return "reserved"; // 6to4 relay anycast
  return "public";
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included), or null. */
function ipv6Groups(text: string): number[] | null {
  let t = text.toLowerCase();
  const zone = t.indexOf("%");
  if (zone >= 0) t = t.slice(0, zone);
  const lastColon = t.lastIndexOf(":");
  if (t.slice(lastColon + 1).includes(".")) {
    // A trailing dotted IPv4 part stands for the last two groups.
    const o = ipv4Octets(t.slice(lastColon + 1));
    if (!o) return null;
    t = `${t.slice(0, lastColon + 1)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = t.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === "" ? [] : s.split(":"));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [
    ...head,
    ...Array<string>(halves.length === 2 ? missing : 0).fill("0"),
    ...rest,
  ].map((g) => parseInt(g, 16));
  return groups;
}

const v4From = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

export function classifyIPv6(text: string): AddressClass {
  const g = ipv6Groups(text);
  if (!g) return "invalid";
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return "unspecified";
  if (zeros(0, 7) && g[7] === 1) return "loopback";
  if (zeros(0, 5) && g[5] === 0xffff) return classifyIPv4(v4From(g[6], g[7])); // IPv4-mapped
  if (zeros(0, 6)) return "reserved"; // IPv4-compatible (deprecated): never a public target
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) {
    // NAT64 well-known prefix
    const inner = classifyIPv4(v4From(g[6], g[7]));
    return inner === "public" ? "public" : inner;
  }
  if (g[0] === 0x2002) {
    // 6to4 carries an IPv4 address in groups 1-2
    const inner = classifyIPv4(v4From(g[1], g[2]));
    return inner === "public" ? "public" : inner;
  }
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0] & 0xffc0) === 0xfec0) return "reserved"; // site-local (deprecated)
  if ((g[0] & 0xfe00) === 0xfc00) return "unique-local";
  if ((g[0] & 0xff00) === 0xff00) return "multicast";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "reserved"; // documentation
  if (g[0] === 0x0100 && zeros(1, 4)) return "reserved"; // discard-only 100::/64
  return "public";
}

/** Any textual IP address. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address.replace(/^\[|\]$/g, "").split("%")[0]);
  if (family === 4) return classifyIPv4(address);
  if (family === 6) return classifyIPv6(address.replace(/^\[|\]$/g, ""));
  return "invalid";
}
