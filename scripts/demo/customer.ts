import type { Address, Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { Deployment } from "../../server/chain/deployment";
import { purposeId } from "../../client/purposes";
import { ledgerDomain, ledgerTypes, pointsDomain, pointsTypes } from "../../client/typedData";
import { customerNonces, relayJson } from "./relayClient";

/**
 * Data categories (uint64 bitmap) used by the demo, in the order DESIGN.md lists them:
 * identity, contact, purchase history, location, device identifiers, preferences.
 */
export const CATEGORY = { identity: 1n, contact: 2n, purchaseHistory: 4n, location: 8n, deviceIds: 16n, preferences: 32n } as const;

export interface Accepted {
  operationId: string;
  kind: string;
  status: string;
}

/** A customer's app: holds the wallet key, signs EIP-712 messages and posts them to the relay (no gas, no ETH). */
export class CustomerApp {
  constructor(
    readonly account: PrivateKeyAccount,
    private readonly relayUrl: string,
    private readonly deployment: Deployment,
  ) {}

  get address(): Address {
    return this.account.address;
  }

  private deadline(): bigint {
    return BigInt(Math.floor(Date.now() / 1000) + 3600);
  }

  /** Signs a Grant with `nonce` (the next ledger nonce, as GET /v1/customers/{address}/nonces tells) and posts it. */
  async grant(controller: Address, purpose: string, categories: bigint, noticeHash: Hex, nonce?: bigint): Promise<Accepted> {
    nonce ??= (await customerNonces(this.relayUrl, this.address)).ledger;
    const deadline = this.deadline();
    const message = { subject: this.address, controller, purpose: purposeId(purpose), categories, expiresAt: 0, noticeHash, nonce, deadline };
    const signature = await this.account.signTypedData({ domain: ledgerDomain(this.deployment.chainId, this.deployment.ledger), types: ledgerTypes, primaryType: "Grant", message });
    const body = { subject: this.address, controller, purpose, categories: categories.toString(), expiresAt: "0", noticeHash, nonce: nonce.toString(), deadline: deadline.toString(), signature };
    return (await relayJson<Accepted>(this.relayUrl, "POST", "/v1/consents/grant", { body })).body;
  }

  async ledgerNonce(): Promise<bigint> {
    return (await customerNonces(this.relayUrl, this.address)).ledger;
  }

  async revoke(controller: Address, purpose: string): Promise<Accepted> {
    const nonce = (await customerNonces(this.relayUrl, this.address)).ledger;
    const deadline = this.deadline();
    const message = { subject: this.address, controller, purpose: purposeId(purpose), nonce, deadline };
    const signature = await this.account.signTypedData({ domain: ledgerDomain(this.deployment.chainId, this.deployment.ledger), types: ledgerTypes, primaryType: "Revoke", message });
    const body = { subject: this.address, controller, purpose, nonce: nonce.toString(), deadline: deadline.toString(), signature };
    return (await relayJson<Accepted>(this.relayUrl, "POST", "/v1/consents/revoke", { body })).body;
  }

  async redeem(brand: Address, points: bigint, orderRef: Hex): Promise<Accepted> {
    const nonce = (await customerNonces(this.relayUrl, this.address)).points;
    const deadline = this.deadline();
    const message = { customer: this.address, brand, points, orderRef, nonce, deadline };
    const signature = await this.account.signTypedData({ domain: pointsDomain(this.deployment.chainId, this.deployment.points), types: pointsTypes, primaryType: "Redeem", message });
    const body = { customer: this.address, brand, points: points.toString(), orderRef, nonce: nonce.toString(), deadline: deadline.toString(), signature };
    return (await relayJson<Accepted>(this.relayUrl, "POST", "/v1/points/redeem", { body })).body;
  }
}
