import { useQuery } from "@tanstack/react-query";
import { getBrands } from "../../client/actions/getBrands";
import { relay } from "./relay";

/** The brands the relay serves (GET /v1/brands), cached for a minute. */
export function useBrands() {
  return useQuery({ queryKey: ["relay", "brands"], queryFn: ({ signal }) => getBrands(relay, { signal }), staleTime: 60_000 });
}
