/**
 * A customer's app in a page of code, with the client module: discover the brands, grant a purpose,
 * follow it to the chain, revoke it, redeem points. docs/client.md walks through it. Against the demo:
 *
 *   npm run demo -- --keep          (prints RELAY_URL and the demo customer's CUSTOMER_KEY)
 *   RELAY_URL=http://127.0.0.1:PORT CUSTOMER_KEY=0x... npm run example:customer
 */
import { keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { categoryLabel, createRelayClient, purposeLabel, RelayError, type Operation } from "confiance/client";
import { helpFromDocComment } from "../lib/usage";

export async function customerExample({ relayUrl, customerKey, log = console.log }: { relayUrl: string; customerKey: Hex; log?: (line: string) => void }) {
  const relay = createRelayClient({ url: relayUrl, pollingInterval: 250 });
  const account = privateKeyToAccount(customerKey); // any signer works: a viem wallet client, an ethers signer
  const follow = (operationId: string) =>
    relay.waitForOperation({ operationId, onStatus: (op: Operation) => log(`  ${op.status}${op.txHash ? ` in ${op.txHash}` : ""}`) });

  // 1. Discover: the chain and contracts, then the brands and what they ask consent for.
  const config = await relay.getConfig();
  log(`chain ${config.chainId}: ConsentLedger ${config.ledger}, CoalitionPoints ${config.points}`);
  const brands = await relay.getBrands();
  for (const b of brands) log(`${b.name} (${b.address}): ${b.purposes.map((p) => p.name ?? p.id).join(", ")}`);

  // 2. Grant the first purpose the customer has not granted yet, with the notice the brand publishes now.
  const { consents } = await relay.getConsents({ address: account.address });
  const granted = (brand: string, purpose: string) => consents.some((c) => c.active && c.controller === brand.toLowerCase() && c.purpose === purpose);
  const choice = brands
    .flatMap((brand) => brand.purposes.map((purpose) => ({ brand, purpose })))
    .find(({ brand, purpose }) => purpose.notice !== null && purpose.categories > 0n && !granted(brand.address, purpose.id));
  const notice = choice?.purpose.notice;
  if (!choice || !notice) throw new Error("nothing left to grant: every described purpose is granted");
  const { brand, purpose } = choice;
  const words = purposeLabel({ name: purpose.name, language: "en", texts: purpose.texts });
  const data = purpose.categoryNames.map((name) => categoryLabel({ name, language: "en" })?.title ?? name);
  log(`grant "${words?.title ?? purpose.name}" to ${brand.name}: ${data.join(", ")}; notice ${notice.uri}`);
  const grant = await relay.grant({
    signer: account,
    controller: brand.address,
    purpose: purpose.id,
    categories: purpose.categories,
    noticeHash: notice.hash,
  });
  log(`signed Grant, nonce ${grant.message.nonce}: operation ${grant.operation.operationId}`);

  // 3. Follow it from queued to submitted to confirmed on chain.
  const grantOp = await follow(grant.operation.operationId);
  if (grantOp.status === "failed") throw new Error(`the grant failed on chain: ${grantOp.error?.code}`);

  // 4. Revoke it: in force at the relay the moment it answers, then on chain.
  const revoke = await relay.revoke({ signer: account, controller: brand.address, purpose: purpose.id });
  log(`signed Revoke: operation ${revoke.operation.operationId}`);
  const revokeOp = await follow(revoke.operation.operationId);
  if (revokeOp.status === "failed") throw new Error(`the revocation failed on chain: ${revokeOp.error?.code}`);

  // 5. Redeem a few points at a brand that accepts them.
  const { balance } = await relay.getPoints({ address: account.address });
  const partner = brands.find((b) => b.acceptsRedemptions);
  if (balance === 0n || !partner) {
    log(`no redemption: ${balance} points, ${partner ? "" : "no brand accepts them"}`);
    return { grantOp, revokeOp };
  }
  const points = balance < 10n ? balance : 10n;
  const orderRef = keccak256(toHex(`order-${Date.now()}`)); // the brand's order reference, hashed
  const redeem = await relay.redeem({ signer: account, brand: partner.address, points, orderRef });
  log(`signed Redeem of ${points} of ${balance} points at ${partner.name}: operation ${redeem.operation.operationId}`);
  const redeemOp = await follow(redeem.operation.operationId);
  if (redeemOp.status === "failed") throw new Error(`the redemption failed on chain: ${redeemOp.error?.code}`);
  return { grantOp, revokeOp, redeemOp };
}

if (require.main === module) {
  helpFromDocComment(__filename);
  const relayUrl = process.env.RELAY_URL;
  const customerKey = process.env.CUSTOMER_KEY as Hex | undefined;
  if (!relayUrl || !customerKey) {
    console.error("set RELAY_URL and CUSTOMER_KEY (npm run demo -- --keep prints both)");
    process.exit(2);
  }
  customerExample({ relayUrl, customerKey }).catch((err: Error) => {
    console.error(err instanceof RelayError ? `relay refused: ${err.status} ${err.code}: ${err.shortMessage}` : `failed: ${err.message}`);
    process.exit(1);
  });
}
