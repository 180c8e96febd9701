import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, onSessionEnded } from './api/client';
import type { Me } from './api/types';

type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'error'; error: unknown }
  | { status: 'signed-in'; me: Me };

interface Session {
  state: SessionState;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Who is signed in (GET /api/auth/me); any session-bound 401 ends the session with "session expired". */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const load = useCallback(async () => {
    try {
      const me = await api.get<Me>('/api/auth/me', { probe: true });
      setState({ status: 'signed-in', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setState({ status: 'anonymous', expired: false });
      else setState({ status: 'error', error });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(
    () =>
      onSessionEnded(() => {
        setState((s) => (s.status === 'signed-in' ? { status: 'anonymous', expired: true } : s));
      }),
    [],
  );

  const login = useCallback(async (email: string, password: string) => {
    await api.post('/api/auth/login', { email, password });
    const me = await api.get<Me>('/api/auth/me');
    setState({ status: 'signed-in', me });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout', {}, { probe: true });
    } finally {
      setState({ status: 'anonymous', expired: false });
    }
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    void load();
  }, [load]);

  return <SessionContext.Provider value={{ state, login, logout, retry }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe without a signed-in user');
  return state.me;
}
