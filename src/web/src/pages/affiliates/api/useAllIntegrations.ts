import { useEffect, useState } from 'react';
import { api } from '../../../api/client';
import type { Integration, Items, Product } from '../../../api/types';

export interface IntegrationOption {
  integration: Integration;
  product: Product;
}

/** Every product's integrations, for the API Integrations dropdown (the API lists them per product). */
export function useAllIntegrations() {
  const [state, setState] = useState<{ options?: IntegrationOption[]; products?: Product[]; error?: unknown }>({});
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { items: products } = await api.get<Items<Product>>('/api/admin/products');
      const withIntegrations = products.filter((p) => p.hasApiIntegration);
      const lists = await Promise.all(withIntegrations.map((p) => api.get<Items<Integration>>(`/api/admin/products/${p.id}/integrations`)));
      const options = lists.flatMap((list, i) => list.items.map((integration) => ({ integration, product: withIntegrations[i]! })));
      if (!cancelled) setState({ options, products });
    })().catch((error: unknown) => {
      if (!cancelled) setState({ error });
    });
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}
