import { randomBase58 } from './security/tokens.js';

/** Entity ids: a short kind prefix and 16 random base58 characters (`p_…` product, `c_…` campaign). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase58(16)}`;
}
