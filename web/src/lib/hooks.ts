import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { OfflineError } from "./api";
import { save, saved } from "./offline";

export interface Async<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  /** When the data is an offline copy: when it was fetched (ISO). */
  savedAt: string | null;
  reload: () => void;
}

/** Load on mount and when `deps` change. With `offlineKey`, a successful answer is kept and shown
 * (with `savedAt`) when the network is gone: listings and prices stay readable offline. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], offlineKey?: string): Async<T> {
  const [state, setState] = useState<Omit<Async<T>, "reload">>({ data: undefined, error: null, loading: true, savedAt: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        if (offlineKey) save(offlineKey, data);
        setState({ data, error: null, loading: false, savedAt: null });
      },
      (error: Error) => {
        if (controller.signal.aborted || error.name === "AbortError") return;
        const copy = offlineKey && error instanceof OfflineError ? saved<T>(offlineKey) : null;
        if (copy) setState({ data: copy.value, error: null, loading: false, savedAt: copy.savedAt });
        else setState({ data: undefined, error, loading: false, savedAt: null });
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

export interface Action<A extends unknown[], T> {
  run: (...args: A) => Promise<T | undefined>;
  busy: boolean;
  error: Error | null;
  reset: () => void;
}

/** A user action (a form's submit, a button): busy while it runs, its error kept to be shown. */
export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>): Action<A, T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (err) {
        if (mounted.current) setError(err as Error);
        return undefined;
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [fn],
  );
  return { run, busy, error, reset: () => setError(null) };
}
