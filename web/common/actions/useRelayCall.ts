import { useCallback, useState } from "react";
import { actionFailure, type ActionFailure } from "./signedAction";

/** A signed request the relay answers at once (no chain operation): sharing a name, a card, the shopping list. */
export type RelayCallState<T> = { stage: "idle" } | { stage: "signing" } | { stage: "done"; result: T } | { stage: "failed"; failure: ActionFailure };

/** One such request's life as React state: `run(fn)` signs and posts; failures are said in words by CallStatus. */
export function useRelayCall<T>() {
  const [state, setState] = useState<RelayCallState<T>>({ stage: "idle" });
  const run = useCallback(async (fn: () => Promise<T>) => {
    setState({ stage: "signing" });
    try {
      const result = await fn();
      setState({ stage: "done", result });
      return result;
    } catch (err) {
      setState({ stage: "failed", failure: actionFailure(err) });
      return undefined;
    }
  }, []);
  return { state, run, pending: state.stage === "signing", reset: useCallback(() => setState({ stage: "idle" }), []) };
}
