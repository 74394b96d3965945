import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { readContract } from "wagmi/actions";
import { getConsents } from "../../client/actions/getConsents";
import { getHistory } from "../../client/actions/getHistory";
import { getPoints } from "../../client/actions/getPoints";
import { relay, type RelayConfig } from "../common/relay";
import { tiersAbi } from "./tiersAbi";

const key = (address: Address, what: string) => ["customer", address.toLowerCase(), what] as const;

/** The customer's consents to every brand; read again every second while an action is on its way. */
export function useConsents(address: Address) {
  return useQuery({
    queryKey: key(address, "consents"),
    queryFn: ({ signal }) => getConsents(relay, { address, signal }),
    refetchInterval: (q) => (q.state.data && (q.state.data.pending.length > 0 || q.state.data.consents.some((c) => c.pendingRevocation)) ? 1000 : false),
  });
}

/** Balance, lifetime earned, pending points and movements; read every 3 s (purchases arrive from the tills). */
export function usePoints(address: Address) {
  return useQuery({ queryKey: key(address, "points"), queryFn: ({ signal }) => getPoints(relay, { address, signal }), refetchInterval: 3000 });
}

/** The customer's history across brands (consent actions and points movements), newest first. */
export function useHistory(address: Address) {
  return useQuery({
    queryKey: key(address, "history"),
    queryFn: async ({ signal }) => (await getHistory(relay, { address, limit: 1000, signal })).entries.slice().reverse(),
  });
}

/** The coalition's tiers: how many there are and the customer's (`tierOf`); null when none are defined. */
export function useTier(address: Address, config: RelayConfig) {
  const wagmi = useConfig();
  return useQuery({
    queryKey: key(address, "tier"),
    queryFn: async () => {
      const thresholds = await readContract(wagmi, { address: config.points, abi: tiersAbi, functionName: "tiers" });
      if (thresholds.length === 0) return null;
      const tier = await readContract(wagmi, { address: config.points, abi: tiersAbi, functionName: "tierOf", args: [address] });
      return { tier, count: thresholds.length, next: thresholds[tier] ?? null };
    },
  });
}

/** Reads everything about the customer again (after an action reached the chain). */
export function useRefreshCustomer(address: Address) {
  const client = useQueryClient();
  return useCallback(() => {
    void client.invalidateQueries({ queryKey: ["customer", address.toLowerCase()] });
    // The indexer follows the chain a moment behind the confirmation: read once more shortly after.
    setTimeout(() => void client.invalidateQueries({ queryKey: ["customer", address.toLowerCase()] }), 1500);
  }, [client, address]);
}
