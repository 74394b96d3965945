import { useQuery } from "@tanstack/react-query";
import { getBrands } from "./relayAdapter";

/** The brands the relay serves (GET /v1/brands), cached for a minute. */
export function useBrands() {
  return useQuery({ queryKey: ["relay", "brands"], queryFn: getBrands, staleTime: 60_000 });
}
