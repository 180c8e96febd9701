import type { Affiliate, Items, Product } from '../api/types';
import { useApi } from './useApi';

/** A list the console shows names from (products, affiliates), with a lookup that falls back to the id. */
function useNamed<T extends { id: string; name: string }>(path: string) {
  const list = useApi<Items<T>>(path);
  const items = list.data?.items;
  return { items, nameOf: (id: string) => items?.find((x) => x.id === id)?.name ?? id };
}

export const useProducts = () => useNamed<Product>('/api/admin/products');
export const useAffiliates = () => useNamed<Affiliate>('/api/admin/affiliates');
