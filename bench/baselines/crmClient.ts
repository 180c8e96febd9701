import { Pool } from 'undici';

/** The baselines' CRM client: an undici keep-alive pool, as many connections as workers. */
export function crmPoster(crmLeadsUrl: string, connections: number) {
  const url = new URL(crmLeadsUrl);
  const pool = new Pool(url.origin, { connections, keepAliveTimeout: 30_000 });
  return {
    async post(lead: Record<string, unknown>): Promise<{ autoLoginUrl?: string }> {
      const res = await pool.request({
        method: 'POST',
        path: url.pathname,
        headers: { 'content-type': 'application/json', 'x-api-key': 'bench-crm-secret' },
        body: JSON.stringify(lead),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const answer = (await res.body.json()) as { status?: string; data?: { login_url?: string } };
      if (res.statusCode !== 200 || answer.status !== 'ok') throw new Error(`CRM answered ${res.statusCode}`);
      return { autoLoginUrl: answer.data?.login_url };
    },
    close: () => pool.close(),
  };
}
