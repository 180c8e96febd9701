import type { IntegrationTestResult } from '../../../api/types';
import { messageIn, requestText, responseText, statusOf } from '../../../lib/httpText';

function Block({ title, text }: { title: string; text: string }) {
  return (
    <figure className="exchange-block">
      <figcaption>{title}</figcaption>
      <pre className="code" tabIndex={0}>
        {text || '—'}
      </pre>
    </figure>
  );
}

function StatusLine({ status, label }: { status: number | undefined; label: string }) {
  if (status === undefined) return null;
  const kind = status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  return (
    <p className="status-line">
      {label}: <span className={`http-status http-status-${kind}`}>{status}</span>
    </p>
  );
}

/** The test's two sides: what was sent (left), what came back (right). */
export function ExchangePanels({ result }: { result: IntegrationTestResult }) {
  const crmError = messageIn(result.crmResponse);
  const answer = messageIn(result.response);
  return (
    <div className="exchange">
      <section className="panel" aria-labelledby="test-request-title" data-testid="test-request-panel">
        <h3 id="test-request-title">HTTP request</h3>
        <Block title="What the affiliate sends to leadgate" text={requestText(result.request)} />
        <Block title="What leadgate sent to the CRM" text={requestText(result.crmRequest)} />
      </section>
      <section className="panel" aria-labelledby="test-response-title" data-testid="test-response-panel">
        <h3 id="test-response-title">HTTP response</h3>
        <StatusLine status={statusOf(result.response)} label="Status code to the affiliate" />
        {answer ? <p className="status-line">Message: {answer}</p> : null}
        <StatusLine status={statusOf(result.crmResponse)} label="CRM status code" />
        {crmError ? <p className="status-line status-line-error">CRM's error: {crmError}</p> : null}
        <Block title="What leadgate answers the affiliate" text={responseText(result.response)} />
        <Block title="What the CRM answered" text={responseText(result.crmResponse)} />
        {result.leadId ? <p className="muted small">Test lead id: <code>{result.leadId}</code> (marked as a test; left out of reports unless asked for)</p> : null}
      </section>
    </div>
  );
}
