import type { Connector } from "wagmi";

/** wagmi's id of the generic connector for `window.ethereum`. */
export const GENERIC_INJECTED_ID = "injected";

/**
 * The wallets to offer: those that announced themselves by EIP-6963 (each once, by name); the generic
 * browser wallet only when none did and `window.ethereum` exists (a mobile wallet's browser), since
 * it is otherwise one of the announced wallets again.
 */
export function visibleConnectors<C extends Pick<Connector, "id" | "name">>(connectors: readonly C[], hasInjectedProvider: boolean): C[] {
  const announced = connectors.filter((c) => c.id !== GENERIC_INJECTED_ID);
  if (announced.length > 0) return announced.filter((c, i) => announced.findIndex((d) => d.name === c.name) === i);
  return hasInjectedProvider ? connectors.filter((c) => c.id === GENERIC_INJECTED_ID) : [];
}
