// CloudTrail's digest-signing public keys, per region, cached by fingerprint. A digest names the
// fingerprint of its key; an unknown fingerprint (a key rotation since the last fetch) asks
// ListPublicKeys again for that digest's time, once per fingerprint, so a forged fingerprint costs
// one call and not one per digest.

export interface PublicKey {
  fingerprint: string;
  /** DER-encoded PKCS#1 RSA public key. */
  value: Uint8Array;
  validityStart?: Date;
  validityEnd?: Date;
}

/** ListPublicKeys in a region for a time range, every page (NextToken followed). */
export type ListPublicKeys = (region: string, start: Date, end: Date) => Promise<PublicKey[]>;

export class PublicKeyCache {
  private readonly keys = new Map<string, Map<string, PublicKey>>();
  /** Fingerprints already asked for again, with the call (concurrent callers share it). */
  private readonly refetched = new Map<string, Promise<void>>();
  /** ListPublicKeys calls made (for tests and the report). */
  calls = 0;

  constructor(private readonly list: ListPublicKeys) {}

  /** Fetch the keys of a whole window at once (one call per region instead of one per rotation). */
  async preload(region: string, start: Date, end: Date): Promise<void> {
    this.add(region, await this.fetch(region, start, end));
  }

  /** The key with this fingerprint valid around [start, end], or undefined when AWS knows none. */
  async find(region: string, fingerprint: string, start: Date, end: Date): Promise<PublicKey | undefined> {
    const hit = this.keys.get(region)?.get(fingerprint);
    if (hit) return hit;
    const tag = `${region}\u0000${fingerprint}`;
    let asked = this.refetched.get(tag);
    if (!asked) {
      asked = this.fetch(region, start, end).then((keys) => this.add(region, keys));
      // A failed call is not remembered: the next digest asks again.
      asked.catch(() => this.refetched.delete(tag));
      this.refetched.set(tag, asked);
    }
    await asked;
    return this.keys.get(region)?.get(fingerprint);
  }

  private async fetch(region: string, start: Date, end: Date): Promise<PublicKey[]> {
    this.calls++;
    return this.list(region, start, end);
  }

  private add(region: string, keys: PublicKey[]): void {
    let m = this.keys.get(region);
    if (!m) {
      m = new Map();
      this.keys.set(region, m);
    }
    for (const k of keys) m.set(k.fingerprint, k);
  }
}

/** True when the key's validity window (when given) overlaps the digest's period. */
export function keyValidFor(key: PublicKey, start: Date, end: Date): boolean {
  if (key.validityStart && key.validityStart.getTime() > end.getTime()) return false;
  if (key.validityEnd && key.validityEnd.getTime() < start.getTime()) return false;
  return true;
}
