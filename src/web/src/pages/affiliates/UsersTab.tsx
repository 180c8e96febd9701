import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../api/client';
import type { Affiliate, AffiliateUser, Items } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { Async, Empty, Notice } from '../../components/Status';
import { fieldError, isFieldError } from '../../lib/fieldErrors';
import { formatDate } from '../../lib/format';
import { useApi } from '../../lib/useApi';

/** The affiliate's own console logins: they see only this affiliate's leads and key. */
export function UsersTab({ affiliate }: { affiliate: Affiliate }) {
  const path = `/api/admin/affiliates/${affiliate.id}/users`;
  const users = useApi<Items<AffiliateUser>>(path);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<string>();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    try {
      await api.post<AffiliateUser>(path, { email, password });
      setCreated(email);
      setEmail('');
      setPassword('');
      users.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (user: AffiliateUser) => {
    try {
      await api.delete(`${path}/${user.id}`);
      users.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Logins for the affiliate</h2>
      <p className="muted">An affiliate login opens the affiliate portal: its own Leads via API report, its key's prefix and expiry, and how to send leads.</p>
      <form className="inline-form" onSubmit={add} noValidate>
        <Field label="Email" error={fieldError(error, 'email')}>
          <input name="userEmail" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" hint="At least 8 characters." error={fieldError(error, 'password')}>
          <input name="userPassword" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="btn btn-primary">
          Add login
        </button>
      </form>
      {created ? <Notice kind="success">Login {created} created. Give the affiliate its password over a safe channel.</Notice> : null}
      {error !== undefined && !isFieldError(error, ['email', 'password']) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      <Async resource={users} what="Logins">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No logins yet.</Empty>
          ) : (
            <ul className="list" aria-label="Affiliate logins">
              {data.items.map((u) => (
                <li key={u.id} className="list-row">
                  <span>
                    {u.email} <span className="muted small">since {formatDate(u.createdAt)}</span>
                  </span>
                  <ConfirmButton onConfirm={() => remove(u)} question={`Delete ${u.email}?`} confirmLabel="Delete" ariaLabel={`Delete the login ${u.email}`}>
                    Delete
                  </ConfirmButton>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}
