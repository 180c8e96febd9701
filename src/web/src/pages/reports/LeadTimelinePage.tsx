import type { DeliveryAttempt, LeadTimeline } from '../../api/types';
import { PageHeader } from '../../components/Layout';
import { Async, Empty } from '../../components/Status';
import { StatusBadge } from '../../components/StatusBadge';
import { Table } from '../../components/Table';
import { formatDateTime, pretty } from '../../lib/format';
import { requestText, responseText } from '../../lib/httpText';
import { useApi } from '../../lib/useApi';

const SHOWN_FIELDS = ['status', 'affiliateId', 'campaignId', 'productId', 'country', 'email', 'firstName', 'lastName', 'phone', 'clickId', 'error', 'code', 'autoLoginUrl', 'externalId', 'test'];

function Attempt({ attempt }: { attempt: DeliveryAttempt }) {
  return (
    <li className="card attempt">
      <h3>
        Attempt {attempt.attempt}: <StatusBadge status={attempt.outcome} />
        <span className="muted small">
          {' '}
          {formatDateTime(attempt.startedAt)}
          {attempt.durationMs !== null ? ` · ${attempt.durationMs} ms` : ''}
        </span>
      </h3>
      {attempt.error ? (
        <p className="status-line status-line-error">
          {attempt.code ? <code>{attempt.code}</code> : null} {attempt.error}
        </p>
      ) : null}
      {attempt.outcomeUnknown ? <p className="muted small">The CRM may have received this lead although the attempt failed (no answer in time).</p> : null}
      <div className="exchange">
        <figure className="exchange-block">
          <figcaption>Request</figcaption>
          <pre className="code" tabIndex={0}>
            {attempt.request ? requestText(attempt.request) : '—'}
          </pre>
        </figure>
        <figure className="exchange-block">
          <figcaption>Response</figcaption>
          <pre className="code" tabIndex={0}>
            {attempt.response ? responseText(attempt.response) : 'No response (timeout or network error)'}
          </pre>
        </figure>
      </div>
    </li>
  );
}

/** One lead's life: what it was, every event, each delivery attempt's request and response, its postbacks. */
export function LeadTimelinePage({ leadId }: { leadId: string }) {
  const timeline = useApi<LeadTimeline>(`/api/admin/leads/${leadId}`);
  return (
    <>
      <PageHeader title={`Lead ${leadId}`} crumbs={[{ label: 'Reports' }, { to: '/reports/leads', label: 'Leads via API' }]} />
      <Async resource={timeline} what="Lead timeline">
        {(t) => (
          <div className="stack">
            <section className="card" aria-labelledby="lead-title">
              <h2 id="lead-title">Lead</h2>
              <dl className="kv-list">
                {SHOWN_FIELDS.filter((k) => t.lead[k] !== undefined && t.lead[k] !== null).map((k) => (
                  <div key={k} className="kv-pair">
                    <dt>{k}</dt>
                    <dd className="wrap-anywhere">{k === 'status' ? <StatusBadge status={String(t.lead[k])} /> : typeof t.lead[k] === 'object' ? pretty(t.lead[k]) : String(t.lead[k])}</dd>
                  </div>
                ))}
              </dl>
            </section>
            <section className="card" aria-labelledby="events-title">
              <h2 id="events-title">Timeline</h2>
              {t.events.length === 0 ? (
                <Empty>No events.</Empty>
              ) : (
                <ol className="timeline">
                  {t.events.map((e, i) => (
                    <li key={i}>
                      <span className="timeline-at">{formatDateTime(e.at)}</span>
                      <strong>{e.type}</strong>
                      <details>
                        <summary>Details</summary>
                        <pre className="code">{pretty(e.data)}</pre>
                      </details>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="attempts-title">
              <h2 id="attempts-title">Delivery attempts</h2>
              {t.attempts.length === 0 ? (
                <Empty>No delivery attempt yet.</Empty>
              ) : (
                <ol className="stack plain-list">
                  {t.attempts.map((a) => (
                    <Attempt key={a.attempt} attempt={a} />
                  ))}
                </ol>
              )}
            </section>
            <section className="card" aria-labelledby="postbacks-title">
              <h2 id="postbacks-title">Postbacks</h2>
              {t.postbacks.length === 0 ? (
                <Empty>No postback fired for this lead.</Empty>
              ) : (
                <Table columns={['Event', 'URL', 'Attempt', 'HTTP status', 'Outcome', 'At']}>
                  {t.postbacks.map((p, i) => (
                    <tr key={i}>
                      <td>{p.event}</td>
                      <td className="wrap-anywhere mono small">
                        {p.method ? `${p.method} ` : ''}
                        {p.url}
                      </td>
                      <td>{p.attempt}</td>
                      <td>{p.status ?? '—'}</td>
                      <td>
                        {p.outcome ? <StatusBadge status={p.outcome} /> : '—'}
                        {p.error ? <div className="small muted">{p.error}</div> : null}
                      </td>
                      <td>{formatDateTime(p.at)}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </section>
          </div>
        )}
      </Async>
    </>
  );
}
