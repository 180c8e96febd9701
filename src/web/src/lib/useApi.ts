import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replace the data after a change the caller already knows the result of. */
  setData: (data: T) => void;
}

/** GETs `path` (null: nothing yet) and keeps the answer; a newer path or reload cancels the older call. */
export function useApi<T>(path: string | null, options: { probe?: boolean } = {}): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== null });
  const [version, setVersion] = useState(0);
  const probe = options.probe ?? false;

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    api
      .get<T>(path, { signal: controller.signal, probe })
      .then((data) => setState({ data, loading: false }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ error, loading: false });
      });
    return () => controller.abort();
  }, [path, version, probe]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const setData = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, setData };
}
