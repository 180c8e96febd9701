import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * Random bytes drawn from the CSPRNG 4 KiB at a time and handed out once each (as
 * crypto.randomUUID does): a call into OpenSSL per id cost intake ~12 µs a lead.
 */
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function randomByte(): number {
  if (poolUsed === pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  return pool[poolUsed++]!;
}

/** Random base58 text; each character drawn without modulo bias. */
export function randomBase58(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 232) out += BASE58[byte % 58];
  }
  return out;
}

/** SHA-256 as hex, in one call (no Hash object: this runs on every intake request). */
export function sha256(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Compares two secrets' digests in constant time (the digests have equal length whatever the input). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'));
}

/**
 * A credential as `<kind>_<random>`: affiliate API keys (`lg_`), employee tokens (`lge_`).
 * Looked up by SHA-256 (high-entropy input needs no slow hash), shown once, with a short
 * visible prefix for recognising it later.
 */
export function newCredential(kind: string, length = 32): { value: string; hash: string; prefix: string } {
  const value = `${kind}_${randomBase58(length)}`;
  return { value, hash: sha256(value), prefix: value.slice(0, kind.length + 1 + 6) };
}
