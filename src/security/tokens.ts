import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Random base58 text; each character drawn without modulo bias. */
export function randomBase58(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 232 && out.length < length) out += BASE58[byte % 58];
    }
  }
  return out;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares two secrets' digests in constant time (the digests have equal length whatever the input). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
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
