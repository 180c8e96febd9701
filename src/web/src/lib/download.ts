import { api } from '../api/client';

/** Saves a JSON value as a file the browser downloads. */
export function saveJson(value: unknown, filename: string): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** GET /api/admin/affiliates/{id}/postman-collection, saved as a file (it carries the revealed key). */
export async function downloadPostmanCollection(affiliateId: string, affiliateName: string): Promise<void> {
  const collection = await api.get<unknown>(`/api/admin/affiliates/${affiliateId}/postman-collection`);
  const slug = affiliateName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || affiliateId;
  saveJson(collection, `leadgate-${slug}.postman_collection.json`);
}
