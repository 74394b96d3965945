import { useEffect, useState } from "react";
import { watchStore, type WatchStoreStatus } from "../../client/actions/watchStore";
import { relay, type RecognisedCustomer } from "../common/relay";
import { mergeCustomer } from "./mergeCustomer";

/**
 * A store's recognised customers, live: the client module's watchStore (which reconnects by itself after
 * a relay restart), newest first, one card per customer. Stops when the store or the key changes.
 */
export function useStoreStream(apiKey: string, storeId: string | null) {
  const [customers, setCustomers] = useState<RecognisedCustomer[]>([]);
  const [status, setStatus] = useState<WatchStoreStatus | "refused">("connecting");
  useEffect(() => {
    setCustomers([]);
    if (!storeId) return;
    const stop = new AbortController();
    void watchStore(relay, {
      apiKey,
      storeId,
      signal: stop.signal,
      onStatus: setStatus,
      onError: () => setStatus("refused"),
      onCustomer: (c) => setCustomers((list) => mergeCustomer(list, c)),
    });
    return () => stop.abort();
  }, [apiKey, storeId]);
  return { customers, status };
}
