import { createContext, useMemo, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { WagmiProvider } from "wagmi";
import { getConfig } from "../../../client/actions/getConfig";
import { relay, type RelayConfig } from "../relay";
import { createWagmiConfig } from "./createWagmiConfig";

export type ChainStatus = { status: "loading" } | { status: "failed"; message: string; retry(): void } | { status: "ready"; config: RelayConfig };

export const ChainContext = createContext<ChainStatus>({ status: "loading" });

/**
 * Reads the relay's configuration (GET /v1/config) and, once it is known, provides wagmi for the relay's
 * chain to everything below. Rooms that need a wallet wait for `ready` (see RequireChain); the others
 * render at once.
 */
export function ChainProvider({ children }: { children: ReactNode }) {
  const query = useQuery({ queryKey: ["relay", "config"], queryFn: ({ signal }) => getConfig(relay, { signal }), staleTime: Infinity, retry: 1 });
  const config = query.data;
  const wagmi = useMemo(() => (config ? createWagmiConfig(config) : undefined), [config?.chainId, config?.rpcUrl]); // eslint-disable-line react-hooks/exhaustive-deps
  const status: ChainStatus = config
    ? { status: "ready", config }
    : query.isError
      ? { status: "failed", message: query.error.message, retry: () => void query.refetch() }
      : { status: "loading" };
  const content = <ChainContext.Provider value={status}>{children}</ChainContext.Provider>;
  return wagmi ? <WagmiProvider config={wagmi}>{content}</WagmiProvider> : content;
}
