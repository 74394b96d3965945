import type { CategoryName } from "../categories";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { BrandPurpose, DiscoveredBrand } from "../relay/types";

export type GetBrandsParameters = { signal?: AbortSignal | undefined };
export type GetBrandsReturnType = DiscoveredBrand[];
export type GetBrandsErrorType = RelayRequestErrorType;

type BrandJson = Omit<DiscoveredBrand, "purposes"> & { purposes: (Omit<BrandPurpose, "categories" | "reward"> & { categories: string; categoryNames: CategoryName[]; reward: string | null })[] };

/**
 * The brands this relay serves (`GET /v1/brands`): display name, earning rule, whether they accept
 * redemptions, and each purpose they ask consent for, with its name, texts, data categories and current
 * notice (hash and URI, the hash a grant must name) and the points it rewards a grant with, if any.
 *
 * @example
 * const brands = await getBrands(relay)
 * const loyalty = brands[0].purposes.find((p) => p.name === "loyalty")
 */
export async function getBrands(client: RelayClientBase, { signal }: GetBrandsParameters = {}): Promise<GetBrandsReturnType> {
  const { brands } = await relayRequest<{ brands: BrandJson[] }>(client, { method: "GET", path: "/v1/brands", signal });
  return brands.map((b) => ({ ...b, purposes: b.purposes.map((p) => ({ ...p, categories: BigInt(p.categories), reward: p.reward === null ? null : BigInt(p.reward) })) }));
}
