import { useEffect, useState } from 'react';
import { api } from '../../../api/client';
import type { Affiliate, ApiIntegration, Items } from '../../../api/types';

export interface Eligible {
  affiliate: Affiliate;
  apiIntegration: ApiIntegration;
}

/**
 * The affiliates that have this integration enabled. The API has no filter for it, so each
 * affiliate's API integrations are read, a few at a time.
 */
export function useEligibleAffiliates(integrationId: string) {
  const [state, setState] = useState<{ items?: Eligible[]; error?: unknown }>({});
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { items: affiliates } = await api.get<Items<Affiliate>>('/api/admin/affiliates');
      const found: Eligible[] = [];
      for (let i = 0; i < affiliates.length; i += 6) {
        const batch = affiliates.slice(i, i + 6);
        const lists = await Promise.all(batch.map((a) => api.get<Items<ApiIntegration>>(`/api/admin/affiliates/${a.id}/api-integrations`)));
        lists.forEach((list, j) => {
          const hit = list.items.find((ai) => ai.integrationId === integrationId && ai.enabled);
          if (hit) found.push({ affiliate: batch[j]!, apiIntegration: hit });
        });
      }
      if (!cancelled) setState({ items: found });
    })().catch((error: unknown) => {
      if (!cancelled) setState({ error });
    });
    return () => {
      cancelled = true;
    };
  }, [integrationId]);
  return state;
}
