// A hook that reads one API path and re-reads it when the path changes or on demand; a read
// superseded by a newer one is aborted and never overwrites it.
import { useCallback, useEffect, useState } from "preact/hooks";
import { getJson } from "./api.js";

/** What a read holds: its data once answered, or the message of why not. */
export interface ReadState<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  /** Reads the path again (e.g. after an action changed it). */
  readonly reload: () => void;
}

/**
 * Reads `path` (nothing when it is undefined), again every `refreshMs` and whenever `version`
 * changes. Invariant: `data` is the answer of the latest read that succeeded.
 */
export function useRead<T>(path: string | undefined, refreshMs?: number, version?: string): ReadState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(path !== undefined);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => {
    setGeneration((n) => n + 1);
  }, []);

  useEffect(() => {
    if (path === undefined) return undefined;
    const controller = new AbortController();
    setLoading(true);
    getJson<T>(path, controller.signal).then(
      (answer) => {
        setData(answer);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
    return () => {
      controller.abort();
    };
  }, [path, generation, version]);

  useEffect(() => {
    if (refreshMs === undefined || path === undefined) return undefined;
    const timer = setInterval(reload, refreshMs);
    return () => {
      clearInterval(timer);
    };
  }, [refreshMs, path, reload]);

  return { data, error, loading, reload };
}
