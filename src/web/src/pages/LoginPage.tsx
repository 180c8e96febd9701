import { useState, type FormEvent } from 'react';
import { messageOf } from '../api/client';
import { Field } from '../components/Field';
import { Notice } from '../components/Status';
import { useSession } from '../session';

export function LoginPage({ expired }: { expired: boolean }) {
  const { login } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(email, password);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span className="brand-mark" aria-hidden="true">
            lg
          </span>{' '}
          Sign in to leadgate
        </h1>
        {expired ? <Notice kind="warning">Your session expired. Please sign in again.</Notice> : null}
        {error ? <Notice kind="error">{error}</Notice> : null}
        <Field label="Email">
          <input type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">Managers and affiliates sign in here with the login their administrator gave them.</p>
      </form>
    </main>
  );
}
