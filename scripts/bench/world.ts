import { encodeFunctionData, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { consentLedgerAbi } from "../../client/abis";
import { categoryBitmap, purposeId, signCustomerMessage } from "../../client";
import { setUpCoalition, USD, type Coalition, type OnChainBrand } from "../demo/coalition";
import { BRAND_SPECS, GOVERNANCE_INDEX } from "../demo/journey/setup";
import { LocalChain } from "../lib/localChain";
import { TxLog } from "../demo/txlog";

/** The chain side of the relay benchmarks: one brand, and customers who granted it recognition and loyalty. */
export interface BenchWorld {
  chain: LocalChain;
  coalition: Coalition;
  brand: OnChainBrand;
  customers: PrivateKeyAccount[];
}

export async function setUpBenchWorld(customers: number): Promise<BenchWorld> {
  const chain = await LocalChain.start({ pollingMs: 50 });
  const log = new TxLog(chain.client);
  const coalition = await setUpCoalition({ chain, governanceIndex: GOVERNANCE_INDEX, brands: [{ ...BRAND_SPECS.fashion, deposit: 100_000n * USD }], log });
  const brand = coalition.brands[0]!;
  const accounts = Array.from({ length: customers }, () => privateKeyToAccount(generatePrivateKey()));
  await grantAll(chain, coalition, brand, accounts, ["in-store-recognition", "loyalty"]);
  return { chain, coalition, brand, customers: accounts };
}

/** Every customer signs a Grant of each purpose; governance submits them in multicall batches of 50. */
async function grantAll(chain: LocalChain, coalition: Coalition, brand: OnChainBrand, customers: PrivateKeyAccount[], purposes: string[]): Promise<void> {
  const { deployment } = coalition;
  const calls: Hex[] = [];
  for (const c of customers) {
    let nonce = 0n;
    for (const purpose of purposes) {
      const message = {
        subject: c.address,
        controller: brand.address,
        purpose: purposeId(purpose),
        categories: categoryBitmap(["identity", "purchase-history", "location"]),
        expiresAt: 0,
        noticeHash: brand.notices[purpose]!.hash,
        nonce: nonce++,
        deadline: 2n ** 40n,
      };
      const signature = await signCustomerMessage({ signer: c, contracts: deployment, primaryType: "Grant", message });
      calls.push(
        encodeFunctionData({
          abi: consentLedgerAbi,
          functionName: "grantBySig",
          args: [c.address, brand.address as Address, message.purpose, message.categories, 0, message.noticeHash, message.deadline, signature],
        }),
      );
    }
  }
  for (let i = 0; i < calls.length; i += 50) {
    const hash = await coalition.governance.writeContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "multicall", args: [calls.slice(i, i + 50)] });
    const r = await chain.client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`grant batch ${hash} reverted`);
  }
}
