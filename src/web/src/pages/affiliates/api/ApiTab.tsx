import type { Affiliate } from '../../../api/types';
import { ApiIntegrationsSection } from './ApiIntegrationsSection';
import { ApiKeySection } from './ApiKeySection';
import { WhitelistSection } from './WhitelistSection';

/** What an affiliate needs to send leads: enabled integrations, its key, the addresses it sends from. */
export function ApiTab({ affiliate }: { affiliate: Affiliate }) {
  return (
    <div className="stack">
      <ApiIntegrationsSection affiliate={affiliate} />
      <ApiKeySection affiliate={affiliate} />
      <WhitelistSection affiliate={affiliate} />
    </div>
  );
}
