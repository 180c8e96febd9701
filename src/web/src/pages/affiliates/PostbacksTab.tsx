import { useRef, useState, type FormEvent } from 'react';
import { api, messageOf } from '../../api/client';
import type { Affiliate, Items, Postback, PostbackEvent } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { TrashIcon } from '../../components/Icons';
import { Pager, usePaged } from '../../components/Pager';
import { Async, Empty, Notice } from '../../components/Status';
import { fieldError, isFieldError } from '../../lib/fieldErrors';
import { useApi } from '../../lib/useApi';
import { useProducts } from '../../lib/useNamed';
import { insertAt } from '../products/integration/PlaceholderHelp';

/** API.md's postback URL macros. */
const MACROS = ['lead_id', 'click_id', 'affclickid', 'campaign_id', 'affiliate_id', 'product_id', 'event', 'amount', 'currency', 'country', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'transaction_id', 'timestamp'];
const EVENTS: { id: PostbackEvent; label: string }[] = [
  { id: 'lead', label: 'Lead accepted' },
  { id: 'signup', label: 'Sign-up' },
  { id: 'ftd', label: 'First-time deposit (FTD)' },
  { id: 'deposit', label: 'Deposit' },
];

function PostbackList({ affiliateId, items, productName, onChanged }: { affiliateId: string; items: Postback[]; productName: (id: string) => string; onChanged: () => void }) {
  const paged = usePaged(items, 10);
  const [error, setError] = useState<string>();
  const remove = async (p: Postback) => {
    try {
      await api.delete(`/api/admin/affiliates/${affiliateId}/postbacks/${p.id}`);
      onChanged();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  if (items.length === 0) return <Empty>No postbacks: the affiliate hears about its leads only from the API answers and reports.</Empty>;
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <ul className="list" aria-label="Postbacks">
        {paged.rows.map((p) => (
          <li key={p.id} className="list-row">
            <span className="wrap-anywhere">
              <span className="badge badge-other">{p.event}</span> <span className="badge badge-other">{p.method}</span>{' '}
              {p.productId ? <span className="muted small">{productName(p.productId)} only · </span> : null}
              <code>{p.url}</code>
            </span>
            <ConfirmButton onConfirm={() => remove(p)} className="btn btn-small btn-ghost" question="Delete this postback?" confirmLabel="Delete" ariaLabel={`Delete the ${p.event} postback`}>
              <TrashIcon />
            </ConfirmButton>
          </li>
        ))}
      </ul>
      <Pager {...paged} />
    </>
  );
}

/** Pixels/Postbacks: a URL per event, with macros filled in when it fires. */
export function PostbacksTab({ affiliate }: { affiliate: Affiliate }) {
  const path = `/api/admin/affiliates/${affiliate.id}/postbacks`;
  const postbacks = useApi<Items<Postback>>(path);
  const products = useProducts();
  const [event, setEvent] = useState<PostbackEvent>('ftd');
  const [method, setMethod] = useState<'GET' | 'POST'>('GET');
  const [url, setUrl] = useState('');
  const [productId, setProductId] = useState('');
  const [error, setError] = useState<unknown>();
  const urlRef = useRef<HTMLInputElement>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post<Postback>(path, { event, method, url, productId: productId || null });
      setUrl('');
      postbacks.reload();
    } catch (err) {
      setError(err);
    }
  };
  const insertMacro = (macro: string) => {
    const el = urlRef.current;
    setUrl(el ? insertAt(el, `{${macro}}`) : `${url}{${macro}}`);
    el?.focus();
  };
  return (
    <section className="card" aria-labelledby="postbacks-title">
      <h2 id="postbacks-title">Pixels/Postbacks</h2>
      <form className="form" onSubmit={add} noValidate>
        <div className="grid-3">
          <Field label="Event" error={fieldError(error, 'event')}>
            <select value={event} onChange={(e) => setEvent(e.target.value as PostbackEvent)}>
              {EVENTS.map((ev) => (
                <option key={ev.id} value={ev.id}>
                  {ev.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Method" hint="POST postbacks are signed (Standard Webhooks)." error={fieldError(error, 'method')}>
            <select value={method} onChange={(e) => setMethod(e.target.value as 'GET' | 'POST')}>
              <option>GET</option>
              <option>POST</option>
            </select>
          </Field>
          <Field label="Product" hint="Optional: only this product's leads." error={fieldError(error, 'productId')}>
            <select value={productId} onChange={(e) => setProductId(e.target.value)}>
              <option value="">Every product</option>
              {products.items?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field label="URL" error={fieldError(error, 'url')}>
          <input ref={urlRef} name="postbackUrl" className="mono" placeholder="https://tracker.example.com/pb?click={click_id}&amount={amount}" value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <details className="help">
          <summary>Macros</summary>
          <p className="muted small">Replaced (URL-encoded) when the postback fires; one with no value becomes empty. Click to insert.</p>
          <ul className="chips">
            {MACROS.map((m) => (
              <li key={m}>
                <button type="button" className="chip" onClick={() => insertMacro(m)}>{`{${m}}`}</button>
              </li>
            ))}
          </ul>
        </details>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Add postback
          </button>
        </div>
      </form>
      {error !== undefined && !isFieldError(error, ['event', 'method', 'url', 'productId']) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      <Async resource={postbacks} what="Postbacks">
        {(data) => <PostbackList affiliateId={affiliate.id} items={data.items} productName={products.nameOf} onChanged={postbacks.reload} />}
      </Async>
    </section>
  );
}
