// One signed action at a time: runs it, says it is busy, and keeps its error (the MarketError's
// message) or its result line for a role=alert / role=status region.
import { useCallback, useState } from "preact/hooks";

/** The state of a page's actions. */
export interface ActionState {
  /** The label of the action running now. */
  readonly busy: string | undefined;
  readonly error: string | undefined;
  readonly done: string | undefined;
  /** Runs `work` unless another action runs; `doneText` says what happened. Never throws: an error is kept in `error`. */
  readonly run: <T>(label: string, work: () => Promise<T>, doneText: (result: T) => string) => Promise<T | undefined>;
}

/** The message a person reads for a failed action (a MarketError's message is its own). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A page's action runner. */
export function useAction(): ActionState {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const run = useCallback(async <T>(label: string, work: () => Promise<T>, doneText: (result: T) => string): Promise<T | undefined> => {
    setBusy(label);
    setError(undefined);
    setDone(undefined);
    try {
      const result = await work();
      setDone(doneText(result));
      return result;
    } catch (e) {
      setError(errorText(e));
      return undefined;
    } finally {
      setBusy(undefined);
    }
  }, []);
  return { busy, error, done, run };
}
