/**
 * Shared fixture, signing helpers and behaviours for the ConsentLedger tests.
 *
 * A `Way` is one way a subject's action reaches the ledger: a direct call, a signature of the subject made
 * with ethers or with viem, a delegate's signature, an ERC-1271 wallet (directly or by signature), a contract
 * delegate. `shouldBehaveLikeConsentActions` runs the same expectations through each of them.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { zeroHash, type Hex } from "viem";
import type { ConsentLedger, MockERC1271Wallet } from "../../../typechain-types";
import { testAccount } from "../../support/chain";
import { HistoryAction, nextHead, type HistoryLink } from "../../../server/audit/historyChain";
import { ledgerTypes } from "../../../client/typedData";

export const ZERO_ADDRESS = ethers.ZeroAddress;

/** Purposes by convention: keccak256 of a short name. */
export const PURPOSE = {
  recognition: ethers.id("in-store-recognition"),
  loyalty: ethers.id("loyalty"),
  shoppingList: ethers.id("shopping-list"),
} as const;

/** Category bits, as docs/consent.md assigns them. */
export const CATEGORY = {
  identity: 1n << 0n,
  contact: 1n << 1n,
  purchaseHistory: 1n << 2n,
  location: 1n << 3n,
  deviceIds: 1n << 4n,
  preferences: 1n << 5n,
} as const;

/** The pinned EIP-712 types, as the relay signs and verifies them: these tests check them against the contract. */
export const TYPES = ledgerTypes;

export type PrimaryType = keyof typeof TYPES;
export type Message = Record<string, string | bigint | number>;
export interface Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}
/** Signs one EIP-712 message of the ledger's types under `domain`. */
export type SignFn = (domain: Domain, primaryType: PrimaryType, message: Message) => Promise<string>;

/** Mnemonic indices of the named test accounts (ethers.getSigners()[i] is testAccount(i)). */
export const IDX = { deployer: 0, subject: 1, controller: 2, controller2: 3, delegate: 4, relayer: 5, stranger: 6, walletOwner: 7, delegateWalletOwner: 8 };

export function ethersSign(signer: HardhatEthersSigner): SignFn {
  return (domain, primaryType, message) =>
    signer.signTypedData(domain, { [primaryType]: [...TYPES[primaryType]] }, message);
}

export function viemSign(index: number): SignFn {
  const account = testAccount(index);
  return (domain, primaryType, message) =>
    account.signTypedData({
      domain: { ...domain, chainId: Number(domain.chainId), verifyingContract: domain.verifyingContract as Hex },
      types: { [primaryType]: TYPES[primaryType] },
      primaryType,
      message,
    } as never);
}

export async function deployLedger() {
  const signers = await ethers.getSigners();
  const [deployer, subject, controller, controller2, delegate, relayer, stranger, walletOwner, delegateWalletOwner] =
    signers;
  const ledger = (await ethers.deployContract("ConsentLedger")) as unknown as ConsentLedger;
  const wallet = (await ethers.deployContract("MockERC1271Wallet", [walletOwner.address])) as unknown as MockERC1271Wallet;
  const delegateWallet = (await ethers.deployContract("MockERC1271Wallet", [
    delegateWalletOwner.address,
  ])) as unknown as MockERC1271Wallet;
  const notices: Record<string, string> = {};
  for (const c of [controller, controller2]) {
    for (const [name, purpose] of Object.entries(PURPOSE)) {
      const noticeHash = ethers.id(`${c.address} ${name} notice v1`);
      await ledger.connect(c).definePurpose(purpose, noticeHash, `https://brand.example/notices/${name}/v1`);
      notices[`${c.address}:${purpose}`] = noticeHash;
    }
  }
  const domain: Domain = {
    name: "Confiance ConsentLedger",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await ledger.getAddress(),
  };
  return {
    ledger,
    wallet,
    delegateWallet,
    domain,
    deployer,
    subject,
    controller,
    controller2,
    delegate,
    relayer,
    stranger,
    walletOwner,
    delegateWalletOwner,
    /** The current notice hash of a purpose (as defined by the fixture). */
    notice: (controllerAddress: string, purpose: string) => notices[`${controllerAddress}:${purpose}`],
  };
}

export type Fixture = Awaited<ReturnType<typeof deployLedger>>;

/** One way a subject's action reaches the ledger. */
export interface Way {
  name: string;
  subject: string;
  /** The `actor` the ledger records: the caller or signer. */
  actor: string;
  grant(controller: string, purpose: string, categories: bigint, expiresAt: number | bigint, noticeHash: string): Promise<ContractTransactionResponse>;
  revoke(controller: string, purpose: string): Promise<ContractTransactionResponse>;
  revokeAll(controller: string): Promise<ContractTransactionResponse>;
}

/** A subject acting directly (msg.sender is the subject), with the key that signs for it off chain. */
export interface DirectWay extends Way {
  /** Signs a message for the subject, as a signature it hands out (the subject's key, or its wallet owner's). */
  sign: SignFn;
  setDelegate(delegate: string, until: number | bigint): Promise<ContractTransactionResponse>;
  useNonce(): Promise<ContractTransactionResponse>;
  useDelegateNonce(): Promise<ContractTransactionResponse>;
}

export function directWay(f: Fixture, signer: HardhatEthersSigner): DirectWay {
  const l = f.ledger.connect(signer);
  return {
    name: "direct call",
    subject: signer.address,
    actor: signer.address,
    sign: ethersSign(signer),
    grant: (c, p, cat, exp, n) => l.grant(c, p, cat, exp, n),
    revoke: (c, p) => l.revoke(c, p),
    revokeAll: (c) => l.revokeAll(c),
    setDelegate: (d, until) => l.setDelegate(d, until),
    useNonce: () => l.useNonce(),
    useDelegateNonce: () => l.useDelegateNonce(),
  };
}

/** The subject is an ERC-1271 wallet acting directly through `execute`; its owner's key signs for it. */
export function walletWay(f: Fixture): DirectWay {
  const w = f.wallet.connect(f.walletOwner);
  const target = f.domain.verifyingContract;
  const call = (fn: "grant" | "revoke" | "revokeAll" | "setDelegate" | "useNonce" | "useDelegateNonce", args: unknown[]) =>
    w.execute(target, f.ledger.interface.encodeFunctionData(fn as "grant", args as never));
  return {
    name: "ERC-1271 wallet calling directly",
    subject: walletAddress(f),
    actor: walletAddress(f),
    sign: ethersSign(f.walletOwner),
    grant: (c, p, cat, exp, n) => call("grant", [c, p, cat, exp, n]),
    revoke: (c, p) => call("revoke", [c, p]),
    revokeAll: (c) => call("revokeAll", [c]),
    setDelegate: (d, until) => call("setDelegate", [d, until]),
    useNonce: () => call("useNonce", []),
    useDelegateNonce: () => call("useDelegateNonce", []),
  };
}

function walletAddress(f: Fixture): string {
  return (f.wallet as unknown as { target: string }).target;
}

export async function deadlineIn(seconds = 3600): Promise<bigint> {
  return BigInt(await time.latest()) + BigInt(seconds);
}

/** Signed actions submitted by the relayer; `wrap` turns the raw signature into what is submitted. */
export function bySigWay(
  f: Fixture,
  name: string,
  subject: string,
  actor: string,
  sign: SignFn,
  wrap: (sig: string) => string = (s) => s,
): Way {
  const l = f.ledger.connect(f.relayer);
  const signed = async (type: PrimaryType, fields: Message) => {
    const nonce = await f.ledger.nonces(subject);
    const deadline = await deadlineIn();
    const sig = wrap(await sign(f.domain, type, { subject, ...fields, nonce, deadline }));
    return { deadline, sig };
  };
  return {
    name,
    subject,
    actor,
    grant: async (c, p, cat, exp, n) => {
      const s = await signed("Grant", { controller: c, purpose: p, categories: cat, expiresAt: exp, noticeHash: n });
      return l.grantBySig(subject, c, p, cat, exp, n, s.deadline, s.sig);
    },
    revoke: async (c, p) => {
      const s = await signed("Revoke", { controller: c, purpose: p });
      return l.revokeBySig(subject, c, p, s.deadline, s.sig);
    },
    revokeAll: async (c) => {
      const s = await signed("RevokeAll", { controller: c });
      return l.revokeAllBySig(subject, c, s.deadline, s.sig);
    },
  };
}

export async function blockTime(tx: ContractTransactionResponse): Promise<number> {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return block!.timestamp;
}

/** The controller's head after appending `link` to its current head (read before the action). */
export async function expectedHead(ledger: ConsentLedger, controller: string, link: HistoryLink, prevHead?: string) {
  const prev = prevHead ?? (await ledger.historyHead(controller))[0];
  return nextHead(prev as Hex, link);
}

export function grantLink(subject: string, purpose: string, categories: bigint, expiresAt: number, noticeHash: string, actor: string, timestamp: number): HistoryLink {
  return { action: HistoryAction.Grant, subject: subject as Hex, purpose: purpose as Hex, categories, expiresAt, noticeHash: noticeHash as Hex, actor: actor as Hex, timestamp };
}

export function revokeLink(subject: string, purpose: string, actor: string, timestamp: number): HistoryLink {
  return { action: HistoryAction.Revoke, subject: subject as Hex, purpose: purpose as Hex, categories: 0n, expiresAt: 0, noticeHash: zeroHash, actor: actor as Hex, timestamp };
}

export function revokeAllLink(subject: string, actor: string, timestamp: number): HistoryLink {
  return { action: HistoryAction.RevokeAll, subject: subject as Hex, purpose: zeroHash, categories: 0n, expiresAt: 0, noticeHash: zeroHash, actor: actor as Hex, timestamp };
}

export async function consent(ledger: ConsentLedger, subject: string, controller: string, purpose: string) {
  return [...(await ledger.consentOf(subject, controller, purpose))];
}

/**
 * `historyHead(controller)` as `[head, length]`. (Typechain types the result as never: its named output
 * `length` collides with the tuple's own `length`.)
 */
export async function historyOf(ledger: ConsentLedger, controller: string): Promise<[string, bigint]> {
  const r = (await ledger.historyHead(controller)) as unknown as [string, bigint];
  return [r[0], r[1]];
}

/**
 * The behaviour every way of acting must show. `setup` returns a fresh fixture and the way to test
 * (it may run set-up transactions, e.g. naming a delegate, after loading the fixture).
 */
export function shouldBehaveLikeConsentActions(setup: () => Promise<{ f: Fixture; way: Way }>) {
  const LOYALTY = PURPOSE.loyalty;
  const CATS = CATEGORY.identity | CATEGORY.purchaseHistory;

  describe("grant", () => {
    it("stores the consent, emits ConsentGranted with seq and head and extends the history", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const notice = f.notice(c, LOYALTY);
      const expiresAt = (await time.latest()) + 86_400;
      const [prevHead, prevLength] = await historyOf(f.ledger, c);
      const tx = await way.grant(c, LOYALTY, CATS, expiresAt, notice);
      const ts = await blockTime(tx);
      const head = nextHead(prevHead as Hex, grantLink(way.subject, LOYALTY, CATS, expiresAt, notice, way.actor, ts));
      await expect(tx)
        .to.emit(f.ledger, "ConsentGranted")
        .withArgs(way.subject, c, LOYALTY, CATS, expiresAt, notice, way.actor, prevLength + 1n, head);
      expect(await consent(f.ledger, way.subject, c, LOYALTY)).to.deep.equal([BigInt(ts), BigInt(expiresAt), 0n, CATS, true]);
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(true);
      expect(await historyOf(f.ledger, c)).to.deep.equal([head, prevLength + 1n]);
      expect(await f.ledger.isGranted(way.subject, c, PURPOSE.recognition)).to.equal(false);
      expect(await f.ledger.isGranted(way.subject, f.controller2.address, LOYALTY)).to.equal(false);
    });

    it("updates the record on a re-grant: categories, expiry and grant time", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const notice = f.notice(c, LOYALTY);
      await way.grant(c, LOYALTY, CATS, (await time.latest()) + 1000, notice);
      await time.increase(50);
      const tx = await way.grant(c, LOYALTY, CATEGORY.contact, 0, notice);
      const ts = await blockTime(tx);
      await expect(tx).to.emit(f.ledger, "ConsentGranted").withArgs(way.subject, c, LOYALTY, CATEGORY.contact, 0, notice, way.actor, 2n, (await historyOf(f.ledger, c))[0]);
      expect(await consent(f.ledger, way.subject, c, LOYALTY)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.contact, true]);
    });

    it("ends at expiresAt: active the second before, inactive from that second on", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const expiresAt = (await time.latest()) + 100;
      const ts = await blockTime(await way.grant(c, LOYALTY, CATS, expiresAt, f.notice(c, LOYALTY)));
      await time.increaseTo(expiresAt - 1);
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(true);
      await time.increaseTo(expiresAt);
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(false);
      expect(await consent(f.ledger, way.subject, c, LOYALTY)).to.deep.equal([BigInt(ts), BigInt(expiresAt), 0n, CATS, false]);
    });

    it("refuses a stale notice, an undefined purpose, no category and an expiry not in the future", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const notice = f.notice(c, LOYALTY);
      const stale = ethers.id("old notice");
      await expect(way.grant(c, LOYALTY, CATS, 0, stale))
        .to.be.revertedWithCustomError(f.ledger, "StaleNotice")
        .withArgs(c, LOYALTY, notice, stale);
      const undefinedPurpose = ethers.id("unknown");
      await expect(way.grant(c, undefinedPurpose, CATS, 0, notice))
        .to.be.revertedWithCustomError(f.ledger, "PurposeNotDefined")
        .withArgs(c, undefinedPurpose);
      await expect(way.grant(f.stranger.address, LOYALTY, CATS, 0, notice))
        .to.be.revertedWithCustomError(f.ledger, "PurposeNotDefined")
        .withArgs(f.stranger.address, LOYALTY);
      await expect(way.grant(c, LOYALTY, 0n, 0, notice)).to.be.revertedWithCustomError(f.ledger, "EmptyCategories");
      const now = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(now);
      await expect(way.grant(c, LOYALTY, CATS, now, notice))
        .to.be.revertedWithCustomError(f.ledger, "ExpiryNotInFuture")
        .withArgs(now, now);
      expect(await historyOf(f.ledger, c)).to.deep.equal([zeroHash, 0n]);
    });
  });

  describe("revoke", () => {
    it("ends the consent, emits ConsentRevoked and extends the history", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const grantTs = await blockTime(await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY)));
      await way.grant(c, PURPOSE.recognition, CATEGORY.deviceIds, 0, f.notice(c, PURPOSE.recognition));
      const [prevHead] = await historyOf(f.ledger, c);
      const tx = await way.revoke(c, LOYALTY);
      const ts = await blockTime(tx);
      const head = nextHead(prevHead as Hex, revokeLink(way.subject, LOYALTY, way.actor, ts));
      await expect(tx).to.emit(f.ledger, "ConsentRevoked").withArgs(way.subject, c, LOYALTY, way.actor, 3n, head);
      expect(await consent(f.ledger, way.subject, c, LOYALTY)).to.deep.equal([BigInt(grantTs), 0n, BigInt(ts), CATS, false]);
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(false);
      expect(await f.ledger.isGranted(way.subject, c, PURPOSE.recognition)).to.equal(true);
      expect(await historyOf(f.ledger, c)).to.deep.equal([head, 3n]);
    });

    it("refuses to revoke what is not active: never granted, already revoked, expired", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      await expect(way.revoke(c, LOYALTY))
        .to.be.revertedWithCustomError(f.ledger, "ConsentNotActive")
        .withArgs(way.subject, c, LOYALTY);
      await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY));
      await way.revoke(c, LOYALTY);
      await expect(way.revoke(c, LOYALTY))
        .to.be.revertedWithCustomError(f.ledger, "ConsentNotActive")
        .withArgs(way.subject, c, LOYALTY);
      const expiresAt = (await time.latest()) + 20;
      await way.grant(c, PURPOSE.shoppingList, CATS, expiresAt, f.notice(c, PURPOSE.shoppingList));
      await time.increaseTo(expiresAt);
      await expect(way.revoke(c, PURPOSE.shoppingList))
        .to.be.revertedWithCustomError(f.ledger, "ConsentNotActive")
        .withArgs(way.subject, c, PURPOSE.shoppingList);
      expect((await historyOf(f.ledger, c))[1]).to.equal(3n);
    });
  });

  describe("revokeAll", () => {
    it("ends every consent to that controller only, emits AllConsentsRevoked and extends the history", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const c2 = f.controller2.address;
      const t1 = await blockTime(await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY)));
      const t2 = await blockTime(await way.grant(c, PURPOSE.recognition, CATEGORY.deviceIds, 0, f.notice(c, PURPOSE.recognition)));
      await way.grant(c2, LOYALTY, CATS, 0, f.notice(c2, LOYALTY));
      const [prevHead] = await historyOf(f.ledger, c);
      const tx = await way.revokeAll(c);
      const ts = await blockTime(tx);
      const head = nextHead(prevHead as Hex, revokeAllLink(way.subject, way.actor, ts));
      await expect(tx).to.emit(f.ledger, "AllConsentsRevoked").withArgs(way.subject, c, way.actor, 3n, head);
      expect(await consent(f.ledger, way.subject, c, LOYALTY)).to.deep.equal([BigInt(t1), 0n, BigInt(ts), CATS, false]);
      expect(await consent(f.ledger, way.subject, c, PURPOSE.recognition)).to.deep.equal([BigInt(t2), 0n, BigInt(ts), CATEGORY.deviceIds, false]);
      expect(await f.ledger.isGranted(way.subject, c2, LOYALTY)).to.equal(true);
      expect(await historyOf(f.ledger, c)).to.deep.equal([head, 3n]);
      expect((await historyOf(f.ledger, c2))[1]).to.equal(1n);
    });

    it("does not touch grants made after it", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY));
      await way.revokeAll(c);
      const ts = await blockTime(await way.grant(c, LOYALTY, CATEGORY.contact, 0, f.notice(c, LOYALTY)));
      expect(await consent(f.ledger, way.subject, c, LOYALTY)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.contact, true]);
    });

    it("refuses with NothingToRevoke when nothing was granted to that controller since the last revoke-all", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const c2 = f.controller2.address;
      await expect(way.revokeAll(c)).to.be.revertedWithCustomError(f.ledger, "NothingToRevoke").withArgs();
      // a grant to another controller does not count
      await way.grant(c2, LOYALTY, CATS, 0, f.notice(c2, LOYALTY));
      await expect(way.revokeAll(c)).to.be.revertedWithCustomError(f.ledger, "NothingToRevoke").withArgs();
      await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY));
      await way.grant(c, PURPOSE.recognition, CATS, 0, f.notice(c, PURPOSE.recognition));
      await expect(way.revokeAll(c)).to.emit(f.ledger, "AllConsentsRevoked");
      const nonce = await f.ledger.nonces(way.subject);
      await expect(way.revokeAll(c)).to.be.revertedWithCustomError(f.ledger, "NothingToRevoke").withArgs();
      expect(await f.ledger.nonces(way.subject)).to.equal(nonce);
      expect((await historyOf(f.ledger, c))[1]).to.equal(3n);
      // a new grant makes a revoke-all possible again
      await way.grant(c, LOYALTY, CATEGORY.contact, 0, f.notice(c, LOYALTY));
      await expect(way.revokeAll(c)).to.emit(f.ledger, "AllConsentsRevoked");
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(false);
      expect((await historyOf(f.ledger, c))[1]).to.equal(5n);
    });

    it("accepts a revoke-all after a grant since the last one, even if that grant was revoked singly or expired", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY));
      await way.revoke(c, LOYALTY);
      await expect(way.revokeAll(c)).to.emit(f.ledger, "AllConsentsRevoked");
      const expiresAt = (await time.latest()) + 20;
      await way.grant(c, LOYALTY, CATS, expiresAt, f.notice(c, LOYALTY));
      await time.increaseTo(expiresAt);
      await expect(way.revokeAll(c)).to.emit(f.ledger, "AllConsentsRevoked");
      expect((await historyOf(f.ledger, c))[1]).to.equal(5n);
    });
  });
}

/**
 * What a subject acting directly must see of its nonces: a direct revocation supersedes every signature it or
 * its delegates handed out, a direct `setDelegate` supersedes its SetDelegate signatures, and `useNonce` /
 * `useDelegateNonce` cancel the next signature of each lane. `setup` returns a fresh fixture and a direct way.
 */
export function shouldBehaveLikeDirectActionsThatCancelSignatures(setup: () => Promise<{ f: Fixture; way: DirectWay }>) {
  const LOYALTY = PURPOSE.loyalty;
  const CATS = CATEGORY.identity | CATEGORY.purchaseHistory;

  /** A Grant of LOYALTY to the controller for the way's subject, signed now with its current nonce by `sign`. */
  async function outstandingGrant(f: Fixture, way: DirectWay, sign: SignFn, categories = CATS) {
    const c = f.controller.address;
    const nonce = await f.ledger.nonces(way.subject);
    const deadline = await deadlineIn();
    const noticeHash = f.notice(c, LOYALTY);
    const sig = await sign(f.domain, "Grant", { subject: way.subject, controller: c, purpose: LOYALTY, categories, expiresAt: 0, noticeHash, nonce, deadline });
    return { nonce, submit: () => f.ledger.connect(f.relayer).grantBySig(way.subject, c, LOYALTY, categories, 0, noticeHash, deadline, sig) };
  }

  async function outstandingSetDelegate(f: Fixture, way: DirectWay, until: bigint) {
    const nonce = await f.ledger.delegateNonces(way.subject);
    const deadline = await deadlineIn();
    const d = f.delegate.address;
    const sig = await way.sign(f.domain, "SetDelegate", { subject: way.subject, delegate: d, until, nonce, deadline });
    return { nonce, submit: () => f.ledger.connect(f.relayer).setDelegateBySig(way.subject, d, until, deadline, sig) };
  }

  describe("a direct revoke", () => {
    it("consumes the subject's next nonce (NonceUsed), so a Grant it or a delegate signed before no longer works", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      await way.setDelegate(f.delegate.address, (await time.latest()) + 86_400);
      await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY));
      const mine = await outstandingGrant(f, way, way.sign, CATEGORY.contact);
      const theirs = await outstandingGrant(f, way, ethersSign(f.delegate), CATEGORY.location);
      expect(mine.nonce).to.equal(0n);
      const tx = await way.revoke(c, LOYALTY);
      await expect(tx).to.emit(f.ledger, "ConsentRevoked");
      await expect(tx).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 0n);
      expect(await f.ledger.nonces(way.subject)).to.equal(1n);
      await expect(mine.submit()).to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed").withArgs(way.subject, 0n);
      await expect(theirs.submit()).to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed").withArgs(way.subject, 0n);
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(false);
    });

    it("consumes no nonce when it is refused", async () => {
      const { f, way } = await setup();
      await expect(way.revoke(f.controller.address, LOYALTY)).to.be.revertedWithCustomError(f.ledger, "ConsentNotActive");
      expect(await f.ledger.nonces(way.subject)).to.equal(0n);
    });
  });

  describe("a direct revokeAll", () => {
    it("consumes the subject's next nonce (NonceUsed), so a Grant signed before no longer works", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      await way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY));
      const stale = await outstandingGrant(f, way, way.sign);
      const tx = await way.revokeAll(c);
      await expect(tx).to.emit(f.ledger, "AllConsentsRevoked");
      await expect(tx).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 0n);
      await expect(stale.submit()).to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed").withArgs(way.subject, 0n);
      expect(await f.ledger.isGranted(way.subject, c, LOYALTY)).to.equal(false);
      expect(await f.ledger.nonces(way.subject)).to.equal(1n);
    });
  });

  describe("a direct grant", () => {
    it("consumes no nonce: a signature handed out before still works", async () => {
      const { f, way } = await setup();
      const c = f.controller.address;
      const pending = await outstandingGrant(f, way, way.sign, CATEGORY.contact);
      await expect(way.grant(c, LOYALTY, CATS, 0, f.notice(c, LOYALTY))).to.not.emit(f.ledger, "NonceUsed");
      await expect(pending.submit()).to.emit(f.ledger, "ConsentGranted");
      expect(await f.ledger.nonces(way.subject)).to.equal(1n);
    });
  });

  describe("a direct setDelegate", () => {
    it("consumes the subject's next delegate nonce (NonceUsed), so a removed delegate cannot come back with a SetDelegate signed before", async () => {
      const { f, way } = await setup();
      const until = BigInt(await time.latest()) + 3_600n;
      await expect(way.setDelegate(f.delegate.address, until)).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 0n);
      // the subject signs an extension and hands it out, then removes the delegate directly
      const stale = await outstandingSetDelegate(f, way, until + 86_400n);
      expect(stale.nonce).to.equal(1n);
      const tx = await way.setDelegate(f.delegate.address, 0);
      await expect(tx).to.emit(f.ledger, "DelegateSet").withArgs(way.subject, f.delegate.address, 0);
      await expect(tx).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 1n);
      expect(await f.ledger.delegateNonces(way.subject)).to.equal(2n);
      expect(await f.ledger.nonces(way.subject)).to.equal(0n);
      await expect(stale.submit()).to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed").withArgs(way.subject, 1n);
      expect(await f.ledger.delegateUntil(way.subject, f.delegate.address)).to.equal(0n);
    });
  });

  describe("useNonce", () => {
    it("cancels the next signed action, whoever signed it, and emits NonceUsed", async () => {
      const { f, way } = await setup();
      const pending = await outstandingGrant(f, way, way.sign);
      await expect(way.useNonce()).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 0n);
      expect(await f.ledger.nonces(way.subject)).to.equal(1n);
      expect(await f.ledger.delegateNonces(way.subject)).to.equal(0n);
      await expect(pending.submit()).to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed").withArgs(way.subject, 0n);
      await expect(way.useNonce()).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 1n);
      expect(await f.ledger.nonces(way.subject)).to.equal(2n);
      expect(await f.ledger.isGranted(way.subject, f.controller.address, LOYALTY)).to.equal(false);
    });
  });

  describe("useDelegateNonce", () => {
    it("cancels the next SetDelegate signature only, and emits NonceUsed", async () => {
      const { f, way } = await setup();
      const until = BigInt(await time.latest()) + 86_400n;
      const stale = await outstandingSetDelegate(f, way, until);
      const pending = await outstandingGrant(f, way, way.sign);
      await expect(way.useDelegateNonce()).to.emit(f.ledger, "NonceUsed").withArgs(way.subject, 0n);
      expect(await f.ledger.delegateNonces(way.subject)).to.equal(1n);
      await expect(stale.submit()).to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed").withArgs(way.subject, 0n);
      expect(await f.ledger.delegateUntil(way.subject, f.delegate.address)).to.equal(0n);
      // the other lane is untouched
      expect(await f.ledger.nonces(way.subject)).to.equal(0n);
      await expect(pending.submit()).to.emit(f.ledger, "ConsentGranted");
    });
  });
}

/**
 * A fresh fixture. After a snapshot revert the latest block is old while the next one is stamped with the
 * wall clock, so a block is mined first: `time.latest()` is then "now" for the tests' relative times.
 */
export async function fixture(): Promise<Fixture> {
  const f = await loadFixture(deployLedger);
  await mine();
  return f;
}
