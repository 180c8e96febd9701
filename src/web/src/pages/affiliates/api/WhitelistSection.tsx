import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../../api/client';
import type { Affiliate, Whitelist, WhitelistEntry } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { Field } from '../../../components/Field';
import { TrashIcon } from '../../../components/Icons';
import { Pager, usePaged } from '../../../components/Pager';
import { Async, Empty, Notice } from '../../../components/Status';
import { fieldError, isFieldError } from '../../../lib/fieldErrors';
import { useApi } from '../../../lib/useApi';

function Entries({ affiliateId, items, onChanged }: { affiliateId: string; items: WhitelistEntry[]; onChanged: () => void }) {
  const paged = usePaged(items, 10);
  const [error, setError] = useState<string>();
  const remove = async (entry: WhitelistEntry) => {
    try {
      await api.delete(`/api/admin/affiliates/${affiliateId}/ip-whitelist/${entry.id}`);
      onChanged();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <ul className="list" aria-label="Whitelisted IPs">
        {paged.rows.map((e) => (
          <li key={e.id} className="list-row">
            <span>
              <code>{e.input}</code>
              {e.from !== e.to ? (
                <span className="muted small">
                  {' '}
                  ({e.from} – {e.to})
                </span>
              ) : null}
              <span className="badge badge-other">IPv{e.family}</span>
              {e.openToAll ? <span className="badge badge-rejected">every address</span> : null}
            </span>
            <ConfirmButton onConfirm={() => remove(e)} className="btn btn-small btn-ghost" question={`Remove ${e.input}?`} confirmLabel="Remove" ariaLabel={`Remove ${e.input}`}>
              <TrashIcon />
            </ConfirmButton>
          </li>
        ))}
      </ul>
      <Pager {...paged} />
    </>
  );
}

/** Whitelisted IPs: one address, a From–To range or a CIDR block; IPv4 and IPv6. */
export function WhitelistSection({ affiliate }: { affiliate: Affiliate }) {
  const path = `/api/admin/affiliates/${affiliate.id}/ip-whitelist`;
  const whitelist = useApi<Whitelist>(path);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<unknown>();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post(path, { from, to: to.trim() || null });
      setFrom('');
      setTo('');
      whitelist.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="whitelist-title">
      <h2 id="whitelist-title">Whitelisted IPs</h2>
      <form className="inline-form" onSubmit={add} noValidate>
        <Field label="From" hint="An IP, or a CIDR block such as 203.0.113.0/24" error={fieldError(error, 'from')}>
          <input name="from" className="mono" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </Field>
        <Field label="To" hint="Optional: the end of a range" error={fieldError(error, 'to')}>
          <input name="to" className="mono" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <button type="submit" className="btn btn-primary">
          Add
        </button>
      </form>
      {error !== undefined && !isFieldError(error, ['from', 'to']) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      <Async resource={whitelist} what="IP whitelist">
        {(data) => (
          <>
            {data.openToAll ? (
              <Notice kind="warning">
                An entry covers the full address range: this affiliate's key is accepted from anywhere on the internet. Narrow it to the affiliate's servers.
              </Notice>
            ) : null}
            {data.items.length === 0 ? (
              <Empty>No IP whitelisted: the affiliate's key is refused from every address until you add one.</Empty>
            ) : (
              <Entries affiliateId={affiliate.id} items={data.items} onChanged={whitelist.reload} />
            )}
          </>
        )}
      </Async>
    </section>
  );
}
