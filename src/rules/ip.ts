// IPv4/IPv6 parsing and CIDR membership for the `cidr` modifier. Addresses are 8 groups of 16 bits;
// an IPv4 address is stored as the IPv4-mapped IPv6 address ::ffff:a.b.c.d so both families share code.

export interface Cidr {
  groups: Uint16Array;
  /** Prefix length in IPv6 bits (an IPv4 /n is 96 + n). */
  bits: number;
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parse an IPv4 or IPv6 address (zone ids and brackets are not accepted). */
export function parseIp(s: string): Uint16Array | undefined {
  const g = new Uint16Array(8);
  const v4 = parseIPv4(s);
  if (v4) {
    g[5] = 0xffff;
    g[6] = (v4[0] << 8) | v4[1];
    g[7] = (v4[2] << 8) | v4[3];
    return g;
  }
  if (!s.includes(":") || s.length > 45) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    const items = h.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (i === items.length - 1 && it.includes(".")) {
        const tail = parseIPv4(it);
        if (!tail) return undefined;
        out.push((tail[0] << 8) | tail[1], (tail[2] << 8) | tail[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(it)) {
        out.push(Number.parseInt(it, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (halves.length === 2 && head.length + tail.length > 7) return undefined;
  g.set(head, 0);
  g.set(tail, 8 - tail.length);
  return g;
}

export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf("/");
  const addr = slash < 0 ? s : s.slice(0, slash);
  const groups = parseIp(addr);
  if (!groups) return undefined;
  const isV4 = parseIPv4(addr) !== undefined;
  const max = isV4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    bits = Number(p);
  }
  return { groups, bits: isV4 ? 96 + bits : bits };
}

export function inCidr(addr: Uint16Array, net: Cidr): boolean {
  let left = net.bits;
  for (let i = 0; i < 8 && left > 0; i++) {
    const take = Math.min(16, left);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((addr[i] & mask) !== (net.groups[i] & mask)) return false;
    left -= take;
  }
  return true;
}
