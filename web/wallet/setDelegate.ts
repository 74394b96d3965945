import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import { getBlock, signTypedData } from "wagmi/actions";
import { ledgerDomain, ledgerTypes } from "../../client/typedData";
import type { SignedActionSteps } from "../shared/actions/signedAction";
import { getNonces, postSignedAction, type RelayConfig } from "../shared/relayAdapter";
import { signatureDeadline } from "../shared/wallet/signatureDeadline";

export interface SetDelegateParameters {
  chainId: number;
  ledger: Address;
  /** The customer signing. */
  subject: Address;
  delegate: Address;
  /** Unix time until which the delegate may sign; 0 removes it. */
  until: number;
  nonce: bigint;
  deadline: bigint;
}

/** The EIP-712 SetDelegate message the customer signs. */
export function setDelegateTypedData({ chainId, ledger, subject, delegate, until, nonce, deadline }: SetDelegateParameters) {
  return {
    domain: ledgerDomain(chainId, ledger),
    types: { SetDelegate: ledgerTypes.SetDelegate },
    primaryType: "SetDelegate",
    message: { subject, delegate, until, nonce, deadline },
  } as const;
}

/** The body of POST /v1/consents/set-delegate for that message and its signature. */
export function setDelegateBody(p: SetDelegateParameters, signature: Hex) {
  return { subject: p.subject, delegate: p.delegate, until: p.until, nonce: p.nonce.toString(), deadline: p.deadline.toString(), signature };
}

/**
 * The steps of appointing `delegate` until `until` (0 removes it): read the nonce and the chain's time,
 * have the wallet sign SetDelegate, post it to the relay.
 */
export function setDelegateSteps({ wagmi, config, subject, delegate, until }: { wagmi: Config; config: RelayConfig; subject: Address; delegate: Address; until: number }): SignedActionSteps<ReturnType<typeof setDelegateBody>> {
  return {
    async sign() {
      const [nonces, block] = await Promise.all([getNonces(subject), getBlock(wagmi, { blockTag: "latest" })]);
      const p = { chainId: config.chainId, ledger: config.ledger, subject, delegate, until, nonce: nonces.delegate, deadline: signatureDeadline(block.timestamp) };
      return setDelegateBody(p, await signTypedData(wagmi, { account: subject, ...setDelegateTypedData(p) }));
    },
    submit: (body) => postSignedAction("/v1/consents/set-delegate", body),
  };
}

/**
 * The end of the chosen day (`yyyy-mm-dd`, the reader's time zone) as unix time, or undefined when it
 * is not a date after `now`.
 */
export function endOfDay(day: string, now = Date.now()): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59).getTime();
  return Number.isNaN(end) || end <= now ? undefined : Math.floor(end / 1000);
}
