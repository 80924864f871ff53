// Deterministic randomness for the demo log generator: the same seed gives the same files, byte for
// byte, so the committed demo data can be regenerated and diffed.

/** mulberry32: a small, fast 32-bit PRNG; plenty for synthetic data (not for anything secret). */
export function createRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (items) => items[Math.floor(next() * items.length)];
  const chars = (alphabet, length) => {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
  const hex = (length) => chars("0123456789abcdef", length);
  /** A version-4 UUID made from this generator's bits (CloudTrail eventIDs and requestIDs look like this). */
  const uuid = () => {
    const h = hex(32).split("");
    h[12] = "4";
    h[16] = "89ab"[Math.floor(next() * 4)];
    const s = h.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  /** Pick by weight: entries are [weight, value]. */
  const weighted = (entries) => {
    const total = entries.reduce((sum, [w]) => sum + w, 0);
    let r = next() * total;
    for (const [w, value] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][1];
  };
  return { next, int, pick, chars, hex, uuid, weighted };
}

export const UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
