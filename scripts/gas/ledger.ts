/**
 * Gas of every ConsentLedger action on the in-process Hardhat network, from the receipts' gasUsed (so each
 * figure includes the 21,000 transaction base and calldata). Used by `npm run gas` (scripts/gas.ts).
 */
import hre from "hardhat";
import type { ContractTransactionResponse, Signer, TypedDataDomain } from "ethers";
import type { GasRow, GasSection } from "./report";
import { ledgerTypes } from "../../client/typedData";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("measured transaction failed");
  return receipt.gasUsed;
}

const TYPES = ledgerTypes;

export async function measureLedger(): Promise<GasSection[]> {
  const { ethers } = hre;
  const [, controller, subject, subject2, delegate, relayer, controller2, subject3] = await ethers.getSigners();
  const ledger = await ethers.deployContract("ConsentLedger");
  const ledgerAddress = await ledger.getAddress();
  const domain: TypedDataDomain = {
    name: "Confiance ConsentLedger",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: ledgerAddress,
  };
  const c = controller.address;
  const loyalty = ethers.id("loyalty");
  const recognition = ethers.id("in-store-recognition");
  const list = ethers.id("shopping-list");
  const notice = ethers.id("loyalty notice v1");
  const uri = "https://brand.example/notices/loyalty/v1.html";
  const deadline = 4_000_000_000n; // fixed, so that signatures (and calldata costs) are the same on every run
  const sign = async (who: Signer, type: keyof typeof TYPES, message: Record<string, unknown>) => {
    const s = await who.getAddress();
    const subj = message.subject as string;
    const nonce = type === "SetDelegate" ? await ledger.delegateNonces(subj) : await ledger.nonces(subj);
    return who.signTypedData(domain, { [type]: [...TYPES[type]] }, { ...message, nonce, deadline, subject: message.subject ?? s });
  };
  const grantSig = (who: Signer, subj: string, purpose: string, categories: bigint, n = notice, ctrl = c) =>
    sign(who, "Grant", { subject: subj, controller: ctrl, purpose, categories, expiresAt: 0, noticeHash: n });

  const rows: GasRow[] = [];
  const l = (s: Signer) => ledger.connect(s) as typeof ledger;

  rows.push({
    action: `definePurpose (first notice, ${uri.length}-byte URI)`,
    gas: await gasOf(l(controller).definePurpose(loyalty, notice, uri)),
    note: "notice hash slot 0 -> x; URI string: length slot + 2 data slots",
  });
  await (await l(controller).definePurpose(recognition, notice, uri)).wait();
  rows.push({
    action: "definePurpose (new notice version, same URI length)",
    gas: await gasOf(l(controller).definePurpose(recognition, ethers.id("v2"), uri.replace("v1", "v2"))),
    note: "notice hash x -> y; URI slots rewritten",
  });
  await (await l(controller).definePurpose(recognition, notice, uri)).wait();
  await (await l(controller).definePurpose(list, notice, uri)).wait();
  await (await l(controller2).definePurpose(loyalty, notice, uri)).wait();

  rows.push({
    action: "grant (new record; the controller's first history link)",
    gas: await gasOf(l(subject2).grant(c, list, 0b101n, 0, notice)),
    note: "record slot 0 -> x; revoke-all state slot 0 -> x (granted bit); history head and length 0 -> x",
  });
  rows.push({
    action: "grant (new record)",
    gas: await gasOf(l(subject).grant(c, loyalty, 0b101n, 0, notice)),
    note: "record slot 0 -> x; revoke-all state slot 0 -> x (the subject's first grant to this controller); history head and length x -> y; reads notice",
  });
  rows.push({
    action: "grant (new record, the subject already granted this controller)",
    gas: await gasOf(l(subject2).grant(c, loyalty, 0b101n, 0, notice)),
    note: "record slot 0 -> x; history head and length x -> y; reads notice and revoke-all state",
  });
  rows.push({
    action: "grant (update of an active record)",
    gas: await gasOf(l(subject).grant(c, loyalty, 0b111n, 4_000_000_000, notice)),
    note: "record slot x -> y; history head and length",
  });
  rows.push({
    action: "grantBySig (new record, subject's first signature)",
    gas: await gasOf(l(relayer).grantBySig(subject.address, c, recognition, 0b10000n, 0, notice, deadline, await grantSig(subject, subject.address, recognition, 0b10000n))),
    note: "as grant + nonce slot 0 -> 1; ecrecover",
  });
  rows.push({
    action: "grantBySig (update)",
    gas: await gasOf(l(relayer).grantBySig(subject.address, c, recognition, 0b11000n, 0, notice, deadline, await grantSig(subject, subject.address, recognition, 0b11000n))),
    note: "record slot x -> y; nonce slot x -> y; history head and length; ecrecover",
  });
  await (await l(subject).setDelegate(delegate.address, 4_000_000_000)).wait();
  rows.push({
    action: "grantBySig by a delegate (new record)",
    gas: await gasOf(l(relayer).grantBySig(subject.address, c, list, 0b1n, 0, notice, deadline, await grantSig(delegate, subject.address, list, 0b1n))),
    note: "as grantBySig + one delegate lookup",
  });
  rows.push({
    action: "revoke",
    gas: await gasOf(l(subject).revoke(c, loyalty)),
    note: "record slot x -> y (revokedAt); nonce slot x -> y (cancels signatures handed out); history head and length",
  });
  rows.push({
    action: "revokeBySig",
    gas: await gasOf(l(relayer).revokeBySig(subject.address, c, recognition, deadline, await sign(subject, "Revoke", { subject: subject.address, controller: c, purpose: recognition }))),
    note: "record slot; nonce slot; history head and length; ecrecover",
  });
  // a revoke-all needs a grant since the previous one (NothingToRevoke otherwise): each measured one follows a grant
  const regrant = async () => (await l(subject2).grant(c, list, 0b1n, 0, notice)).wait();
  rows.push({
    action: "revokeAll (first for this subject and controller; the subject's first nonce)",
    gas: await gasOf(l(subject2).revokeAll(c)),
    note: "revoke-all state slot x -> y (epoch, time, granted bit); nonce slot 0 -> 1; history head and length",
  });
  await regrant();
  rows.push({
    action: "revokeAll (2nd to 5th: time kept in the state slot)",
    gas: await gasOf(l(subject2).revokeAll(c)),
    note: "revoke-all state slot x -> y; nonce slot x -> y; history head and length",
  });
  for (let k = 0; k < 3; k++) {
    await regrant();
    await (await l(subject2).revokeAll(c)).wait();
  }
  await regrant();
  rows.push({
    action: "revokeAll (6th: opens an archive slot)",
    gas: await gasOf(l(subject2).revokeAll(c)),
    note: "state slot x -> y; archive slot 0 -> x (then x -> y for the next five); nonce slot x -> y; history head and length",
  });
  await regrant();
  rows.push({
    action: "revokeAll (7th: archive slot reused)",
    gas: await gasOf(l(subject2).revokeAll(c)),
    note: "state slot x -> y; archive slot x -> y; nonce slot x -> y; history head and length",
  });
  rows.push({
    action: "revokeAllBySig (first for this subject and controller)",
    gas: await gasOf(l(relayer).revokeAllBySig(subject.address, c, deadline, await sign(subject, "RevokeAll", { subject: subject.address, controller: c }))),
    note: "revoke-all state slot x -> y (the subject had granted); nonce slot x -> y; history head and length; ecrecover",
  });
  rows.push({
    action: "setDelegate (new delegate)",
    gas: await gasOf(l(subject2).setDelegate(delegate.address, 4_000_000_000)),
    note: "delegate slot 0 -> x; nonce slot x -> y (delegate lane, beside the action lane)",
  });
  rows.push({
    action: "setDelegate (new delegate, the subject's first nonce)",
    gas: await gasOf(l(subject3).setDelegate(delegate.address, 4_000_000_000)),
    note: "delegate slot 0 -> x; nonce slot 0 -> x",
  });
  rows.push({
    action: "setDelegate (remove)",
    gas: await gasOf(l(subject2).setDelegate(delegate.address, 0)),
    note: "delegate slot x -> 0 (refund); nonce slot x -> y",
  });
  rows.push({
    action: "setDelegateBySig (new delegate)",
    gas: await gasOf(l(relayer).setDelegateBySig(subject2.address, delegate.address, 4_000_000_000, deadline, await sign(subject2, "SetDelegate", { subject: subject2.address, delegate: delegate.address, until: 4_000_000_000 }))),
    note: "delegate slot 0 -> x; nonce slot x -> y (delegate lane); ecrecover",
  });
  rows.push({
    action: "useNonce (the subject's first nonce)",
    gas: await gasOf(l(controller2).useNonce()),
    note: "nonce slot 0 -> 1",
  });
  rows.push({
    action: "useNonce (later)",
    gas: await gasOf(l(controller2).useNonce()),
    note: "nonce slot x -> y",
  });
  rows.push({
    action: "useDelegateNonce",
    gas: await gasOf(l(controller2).useDelegateNonce()),
    note: "nonce slot x -> y (delegate lane)",
  });

  // batches of signed grants, each by a fresh subject (new record, nonce 0 -> 1), as a relay sends them
  const batch: GasRow[] = [];
  for (const fn of ["multicall", "tryMulticall"] as const) {
    for (const n of [1, 10, 100]) {
      const calls: string[] = [];
      for (let k = 0; k < n; k++) {
        const w = new ethers.Wallet(ethers.id(`confiance gas subject ${fn} ${n}-${k}`));
        const sig = await grantSig(w, w.address, loyalty, 0b101n);
        calls.push(ledger.interface.encodeFunctionData("grantBySig", [w.address, c, loyalty, 0b101n, 0, notice, deadline, sig]));
      }
      const total = await gasOf(l(relayer)[fn](calls));
      batch.push({
        action: `${fn} of ${n} signed grant${n > 1 ? "s" : ""}, per grant`,
        gas: total / BigInt(n),
        note: `total ${total.toLocaleString("en-US")}; per grant: record 0 -> x, revoke-all state 0 -> x, nonce 0 -> 1, ecrecover, history head and length (warm after the first)`,
      });
    }
  }
  return [
    { name: "ledger", rows },
    { name: "ledger-batch", rows: batch },
  ];
}
