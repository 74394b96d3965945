import { useContext } from "react";
import { ChainContext, type ChainStatus } from "./ChainProvider";

/** The relay's configuration as it loads (`ready` carries it). */
export function useChainStatus(): ChainStatus {
  return useContext(ChainContext);
}
