import { useCallback, useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import * as api from "./brandApi";

const KEY = "confiance.brandApiKey";

/** The brand's API key, kept in this tab's sessionStorage only (never localStorage, never a cookie). */
export function useApiKey(): [string | null, (key: string | null) => void] {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY));
  const set = useCallback((k: string | null) => {
    if (k) sessionStorage.setItem(KEY, k);
    else sessionStorage.removeItem(KEY);
    setKey(k);
  }, []);
  return [key, set];
}

/** The relay of this page, once. */
export function useRelay() {
  return useMemo(() => api.pageRelay(), []);
}

export function useBrandQuery<T>(name: string, apiKey: string, fn: (relay: ReturnType<typeof api.pageRelay>, apiKey: string) => Promise<T>, extra: unknown[] = []) {
  const relay = useRelay();
  return useQuery({ queryKey: ["brand", name, apiKey, ...extra], queryFn: () => fn(relay, apiKey), retry: false });
}

/**
 * A change through the brand API; every brand query is refreshed after it, except those `gone` names
 * (queries of what the change deleted: refreshing them would only ask the relay for a 404).
 */
export function useBrandMutation<V, R = unknown>(
  apiKey: string,
  fn: (relay: ReturnType<typeof api.pageRelay>, apiKey: string, v: V) => Promise<R>,
  gone?: (queryKey: readonly unknown[], v: V) => boolean,
) {
  const relay = useRelay();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: V) => fn(relay, apiKey, v),
    onSuccess: (_r, v) => {
      if (gone) client.removeQueries({ queryKey: ["brand"], predicate: (q) => gone(q.queryKey, v) });
      return client.invalidateQueries({ queryKey: ["brand"] });
    },
  });
}
