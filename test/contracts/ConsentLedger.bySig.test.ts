import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import { nextHead } from "../../server/audit/historyChain";
import {
  CATEGORY,
  IDX,
  PURPOSE,
  blockTime,
  bySigWay,
  consent,
  deadlineIn,
  ethersSign,
  fixture,
  grantLink,
  historyOf,
  shouldBehaveLikeConsentActions,
  viemSign,
  type Domain,
  type Fixture,
  type Message,
  type PrimaryType,
  TYPES,
} from "./behaviours/ledger";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Sets `delegate` as a delegate of the fixture's subject for a day. */
async function withDelegate(f: Fixture, delegate: string) {
  await f.ledger.connect(f.subject).setDelegate(delegate, (await time.latest()) + 86_400);
}

function addressOf(c: { target: unknown }): string {
  return c.target as string;
}

/** A Grant message for the fixture's subject with the current nonce. */
async function grantMessage(f: Fixture, overrides: Partial<Message> = {}): Promise<Message> {
  const c = f.controller.address;
  return {
    subject: f.subject.address,
    controller: c,
    purpose: PURPOSE.loyalty,
    categories: CATEGORY.identity,
    expiresAt: 0,
    noticeHash: f.notice(c, PURPOSE.loyalty),
    nonce: await f.ledger.nonces(f.subject.address),
    deadline: await deadlineIn(),
    ...overrides,
  };
}

function submitGrant(f: Fixture, m: Message, signature: string) {
  return f.ledger
    .connect(f.relayer)
    .grantBySig(m.subject as string, m.controller as string, m.purpose as string, m.categories, m.expiresAt, m.noticeHash as string, m.deadline, signature);
}

/** Submits a signed Grant and checks its ConsentGranted event exactly, with `actor` as the recorded actor. */
async function expectGrantedBy(f: Fixture, m: Message, signature: string, actor: string) {
  const c = m.controller as string;
  const [prevHead, prevLength] = await historyOf(f.ledger, c);
  const tx = await submitGrant(f, m, signature);
  const link = grantLink(m.subject as string, m.purpose as string, BigInt(m.categories), Number(m.expiresAt), m.noticeHash as string, actor, await blockTime(tx));
  await expect(tx)
    .to.emit(f.ledger, "ConsentGranted")
    .withArgs(m.subject, c, m.purpose, m.categories, m.expiresAt, m.noticeHash, actor, prevLength + 1n, nextHead(prevHead as Hex, link));
}

/** The address a signature recovers to against the digest the ledger computes (right domain, fields, nonce). */
function recoveredFor(domain: Domain, type: PrimaryType, message: Message, signature: string): string {
  return ethers.recoverAddress(ethers.TypedDataEncoder.hash(domain, { [type]: [...TYPES[type]] }, message), signature);
}

describe("ConsentLedger by signature", () => {
  describe("signed by the subject with ethers", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      return { f, way: bySigWay(f, "ethers", f.subject.address, f.subject.address, ethersSign(f.subject)) };
    });
  });

  describe("signed by the subject with viem", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      return { f, way: bySigWay(f, "viem", f.subject.address, f.subject.address, viemSign(IDX.subject)) };
    });
  });

  describe("signed by a live EOA delegate", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      await withDelegate(f, f.delegate.address);
      return { f, way: bySigWay(f, "delegate", f.subject.address, f.delegate.address, viemSign(IDX.delegate)) };
    });
  });

  describe("signed for an ERC-1271 wallet subject (its owner's key)", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      const w = addressOf(f.wallet);
      return { f, way: bySigWay(f, "1271 subject", w, w, ethersSign(f.walletOwner)) };
    });
  });

  describe("signed by a live ERC-1271 contract delegate (delegate address ++ inner signature)", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      const d = addressOf(f.delegateWallet);
      await withDelegate(f, d);
      return {
        f,
        way: bySigWay(f, "1271 delegate", f.subject.address, d, ethersSign(f.delegateWalletOwner), (sig) => ethers.concat([d, sig])),
      };
    });
  });

  describe("signatures", () => {
    it("ethers and viem produce the same signature, and the ledger accepts it", async () => {
      const f = await fixture();
      const m = await grantMessage(f);
      const a = await ethersSign(f.subject)(f.domain, "Grant", m);
      const b = await viemSign(IDX.subject)(f.domain, "Grant", m);
      expect(a).to.equal(b);
      await expect(submitGrant(f, m, b)).to.emit(f.ledger, "ConsentGranted");
    });

    it("uses one sequential nonce per subject for Grant, Revoke and RevokeAll, shared by all signers; SetDelegate has its own lane", async () => {
      const f = await fixture();
      const c = f.controller.address;
      await withDelegate(f, f.delegate.address);
      expect(await f.ledger.delegateNonces(f.subject.address)).to.equal(1n);
      const bySubject = bySigWay(f, "s", f.subject.address, f.subject.address, ethersSign(f.subject));
      const byDelegate = bySigWay(f, "d", f.subject.address, f.delegate.address, viemSign(IDX.delegate));
      expect(await f.ledger.nonces(f.subject.address)).to.equal(0n);
      await bySubject.grant(c, PURPOSE.loyalty, 1n, 0, f.notice(c, PURPOSE.loyalty));
      await byDelegate.revoke(c, PURPOSE.loyalty);
      await byDelegate.revokeAll(c);
      expect(await f.ledger.nonces(f.subject.address)).to.equal(3n);
      const deadline = await deadlineIn();
      // a SetDelegate signed with the action lane's nonce is not valid
      const wrongLane = { subject: f.subject.address, delegate: f.stranger.address, until: 0, nonce: 3n, deadline };
      const wrongSig = await ethersSign(f.subject)(f.domain, "SetDelegate", wrongLane);
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.stranger.address, 0, deadline, wrongSig))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, recoveredFor(f.domain, "SetDelegate", { ...wrongLane, nonce: 1n }, wrongSig));
      const m = { ...wrongLane, nonce: 1n };
      const sig = await ethersSign(f.subject)(f.domain, "SetDelegate", m);
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.stranger.address, 0, deadline, sig)).to.not.emit(f.ledger, "NonceUsed");
      expect(await f.ledger.nonces(f.subject.address)).to.equal(3n);
      expect(await f.ledger.delegateNonces(f.subject.address)).to.equal(2n);
      expect(await f.ledger.nonces(f.delegate.address)).to.equal(0n);
      expect(await f.ledger.nonces(f.relayer.address)).to.equal(0n);
      expect(await f.ledger.delegateNonces(f.delegate.address)).to.equal(0n);
    });

    it("a refused signature consumes no nonce", async () => {
      const f = await fixture();
      const m = await grantMessage(f);
      const sig = await ethersSign(f.stranger)(f.domain, "Grant", m);
      await expect(submitGrant(f, m, sig)).to.be.revertedWithCustomError(f.ledger, "InvalidSigner");
      expect(await f.ledger.nonces(f.subject.address)).to.equal(0n);
    });

    it("accepts a deadline equal to the block time and refuses an expired one with ExpiredSignature", async () => {
      const f = await fixture();
      const now = (await time.latest()) + 10;
      const m = await grantMessage(f, { deadline: BigInt(now) });
      const sig = await ethersSign(f.subject)(f.domain, "Grant", m);
      await time.setNextBlockTimestamp(now + 1);
      await expect(submitGrant(f, m, sig)).to.be.revertedWithCustomError(f.ledger, "ExpiredSignature").withArgs(now);
      await time.setNextBlockTimestamp(now + 2);
      const m2 = await grantMessage(f, { deadline: BigInt(now + 2) });
      await expect(submitGrant(f, m2, await ethersSign(f.subject)(f.domain, "Grant", m2))).to.emit(f.ledger, "ConsentGranted");
    });

    it("refuses a replay with NonceAlreadyUsed and a future nonce with NonceNotYetValid", async () => {
      const f = await fixture();
      const m0 = await grantMessage(f);
      const sig0 = await viemSign(IDX.subject)(f.domain, "Grant", m0);
      await submitGrant(f, m0, sig0);
      await expect(submitGrant(f, m0, sig0))
        .to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed")
        .withArgs(f.subject.address, 0n);
      const m2 = await grantMessage(f, { nonce: 2n });
      const sig2 = await viemSign(IDX.subject)(f.domain, "Grant", m2);
      await expect(submitGrant(f, m2, sig2))
        .to.be.revertedWithCustomError(f.ledger, "NonceNotYetValid")
        .withArgs(f.subject.address, 2n);
      // once nonce 1 is used, the nonce-2 signature goes through
      const m1 = await grantMessage(f, { categories: CATEGORY.contact });
      await submitGrant(f, m1, await viemSign(IDX.subject)(f.domain, "Grant", m1));
      await expect(submitGrant(f, m2, sig2)).to.emit(f.ledger, "ConsentGranted");
      expect(await f.ledger.nonces(f.subject.address)).to.equal(3n);
    });

    it("refuses a replay of a delegate's signature, and of a revocation, with NonceAlreadyUsed", async () => {
      const f = await fixture();
      const c = f.controller.address;
      await withDelegate(f, f.delegate.address);
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, 1n, 0, f.notice(c, PURPOSE.loyalty));
      const deadline = await deadlineIn();
      const m = { subject: f.subject.address, controller: c, purpose: PURPOSE.loyalty, nonce: 0n, deadline };
      const sig = await ethersSign(f.delegate)(f.domain, "Revoke", m);
      await f.ledger.connect(f.relayer).revokeBySig(f.subject.address, c, PURPOSE.loyalty, deadline, sig);
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, 1n, 0, f.notice(c, PURPOSE.loyalty));
      await expect(f.ledger.connect(f.relayer).revokeBySig(f.subject.address, c, PURPOSE.loyalty, deadline, sig))
        .to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed")
        .withArgs(f.subject.address, 0n);
    });

    it("refuses another chain's and another contract's signature with InvalidSigner", async () => {
      const f = await fixture();
      const m = await grantMessage(f);
      for (const domain of [
        { ...f.domain, chainId: 1n },
        { ...f.domain, verifyingContract: addressOf(f.wallet) },
        { ...f.domain, version: "2" },
      ]) {
        const sig = await ethersSign(f.subject)(domain, "Grant", m);
        await expect(submitGrant(f, m, sig))
          .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
          .withArgs(f.subject.address, recoveredFor(f.domain, "Grant", m, sig));
      }
    });

    it("refuses a signature over other fields, and one by a stranger, with InvalidSigner", async () => {
      const f = await fixture();
      const m = await grantMessage(f);
      const sig = await ethersSign(f.subject)(f.domain, "Grant", m);
      const altered = { ...m, categories: CATEGORY.location };
      await expect(submitGrant(f, altered, sig))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, recoveredFor(f.domain, "Grant", altered, sig));
      const strangerSig = await ethersSign(f.stranger)(f.domain, "Grant", m);
      await expect(submitGrant(f, m, strangerSig))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, f.stranger.address);
    });

    it("refuses a malformed signature with InvalidSigner(subject, 0)", async () => {
      const f = await fixture();
      const m = await grantMessage(f);
      const sig = await ethersSign(f.subject)(f.domain, "Grant", m);
      for (const bad of ["0x", ethers.dataSlice(sig, 0, 64), ethers.concat([sig, "0x00"]), ethers.concat([ethers.dataSlice(sig, 0, 64), "0x1d"])]) {
        await expect(submitGrant(f, m, bad))
          .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
          .withArgs(f.subject.address, ethers.ZeroAddress);
      }
    });

    it("refuses the malleable high-s twin of a valid signature with MalleableSignature", async () => {
      const f = await fixture();
      const m = await grantMessage(f);
      const sig = ethers.Signature.from(await ethersSign(f.subject)(f.domain, "Grant", m));
      const highS = ethers.toBeHex(SECP256K1_N - BigInt(sig.s), 32);
      const twin = ethers.concat([sig.r, highS, sig.v === 27 ? "0x1c" : "0x1b"]);
      // the twin is a valid ECDSA signature of the same digest by the same key
      expect(recoveredFor(f.domain, "Grant", m, ethers.concat([sig.r, sig.s, ethers.toBeHex(sig.v)]))).to.equal(f.subject.address);
      await expect(submitGrant(f, m, twin)).to.be.revertedWithCustomError(f.ledger, "MalleableSignature").withArgs(highS);
      expect(await f.ledger.nonces(f.subject.address)).to.equal(0n);
    });

    it("refuses a delegate whose until has passed with DelegateExpired, and a removed one with InvalidSigner", async () => {
      const f = await fixture();
      const until = (await time.latest()) + 100;
      await f.ledger.connect(f.subject).setDelegate(f.delegate.address, until);
      // live up to and including `until`
      await time.setNextBlockTimestamp(until);
      const m = await grantMessage(f, { deadline: BigInt(until + 1000) });
      await expect(submitGrant(f, m, await ethersSign(f.delegate)(f.domain, "Grant", m))).to.emit(f.ledger, "ConsentGranted");
      const m2 = await grantMessage(f, { deadline: BigInt(until + 1000) });
      const sig2 = await ethersSign(f.delegate)(f.domain, "Grant", m2);
      await expect(submitGrant(f, m2, sig2))
        .to.be.revertedWithCustomError(f.ledger, "DelegateExpired")
        .withArgs(f.subject.address, f.delegate.address, until);
      await f.ledger.connect(f.subject).setDelegate(f.delegate.address, 0);
      const m3 = await grantMessage(f, { deadline: BigInt(until + 1000) });
      const sig3 = await ethersSign(f.delegate)(f.domain, "Grant", m3);
      await expect(submitGrant(f, m3, sig3))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, f.delegate.address);
    });

    it("refuses an expired ERC-1271 contract delegate with DelegateExpired", async () => {
      const f = await fixture();
      const d = addressOf(f.delegateWallet);
      const until = (await time.latest()) + 50;
      await f.ledger.connect(f.subject).setDelegate(d, until);
      await time.increaseTo(until + 1);
      const m = await grantMessage(f);
      const sig = ethers.concat([d, await ethersSign(f.delegateWalletOwner)(f.domain, "Grant", m)]);
      await expect(submitGrant(f, m, sig))
        .to.be.revertedWithCustomError(f.ledger, "DelegateExpired")
        .withArgs(f.subject.address, d, until);
    });

    it("refuses a contract-delegate encoding for a contract that is not a delegate, or whose owner did not sign", async () => {
      const f = await fixture();
      const d = addressOf(f.delegateWallet);
      const m = await grantMessage(f);
      const inner = await ethersSign(f.delegateWalletOwner)(f.domain, "Grant", m);
      await expect(submitGrant(f, m, ethers.concat([d, inner])))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, ethers.ZeroAddress);
      await withDelegate(f, d);
      const wrongInner = await ethersSign(f.stranger)(f.domain, "Grant", m);
      await expect(submitGrant(f, m, ethers.concat([d, wrongInner])))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, ethers.ZeroAddress);
      // an EOA delegate cannot be used with the contract encoding
      await withDelegate(f, f.delegate.address);
      const eoaInner = await ethersSign(f.delegate)(f.domain, "Grant", m);
      await expect(submitGrant(f, m, ethers.concat([f.delegate.address, eoaInner])))
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, ethers.ZeroAddress);
    });

    it("refuses an ERC-1271 wallet signature by a key that is not its owner", async () => {
      const f = await fixture();
      const w = addressOf(f.wallet);
      const m = await grantMessage(f, { subject: w, nonce: 0n });
      const sig = await ethersSign(f.stranger)(f.domain, "Grant", m);
      await expect(submitGrant(f, m, sig)).to.be.revertedWithCustomError(f.ledger, "InvalidSigner").withArgs(w, f.stranger.address);
    });

    it("accepts the subject's own key for an account that has code (EIP-7702), before asking the code", async () => {
      const f = await fixture();
      // the subject's EOA now runs a wallet's code that only accepts walletOwner's signatures (ERC-1271)
      await ethers.provider.send("hardhat_setCode", [f.subject.address, await ethers.provider.getCode(addressOf(f.wallet))]);
      const m = await grantMessage(f);
      await expectGrantedBy(f, m, await ethersSign(f.subject)(f.domain, "Grant", m), f.subject.address);
      // and its code is still asked when the key did not sign
      const m2 = await grantMessage(f, { categories: CATEGORY.contact });
      await expectGrantedBy(f, m2, await ethersSign(f.walletOwner)(f.domain, "Grant", m2), f.subject.address);
      expect(await f.ledger.nonces(f.subject.address)).to.equal(2n);
    });

    it("records as actor the authoriser the submitted format names, for a contract delegate accepting the subject's own key", async () => {
      const f = await fixture();
      // a delegate contract whose owner key is the subject's own (e.g. the subject's personal data agent)
      const agent = await ethers.deployContract("MockERC1271Wallet", [f.subject.address]);
      const agentAddress = await agent.getAddress();
      await withDelegate(f, agentAddress);
      const plain = await grantMessage(f);
      await expectGrantedBy(f, plain, await ethersSign(f.subject)(f.domain, "Grant", plain), f.subject.address);
      const wrapped = await grantMessage(f);
      await expectGrantedBy(f, wrapped, ethers.concat([agentAddress, await ethersSign(f.subject)(f.domain, "Grant", wrapped)]), agentAddress);
    });

    it("batches signed grants of several subjects in one multicall", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const calls: string[] = [];
      const signers = [f.subject, f.stranger, f.delegate];
      for (const s of signers) {
        const m = await grantMessage(f, { subject: s.address, nonce: 0n });
        const sig = await ethersSign(s)(f.domain, "Grant", m);
        calls.push(
          f.ledger.interface.encodeFunctionData("grantBySig", [s.address, c, m.purpose as string, m.categories, m.expiresAt, m.noticeHash as string, m.deadline, sig]),
        );
      }
      const ts = await blockTime(await f.ledger.connect(f.relayer).multicall(calls));
      for (const s of signers) {
        expect(await consent(f.ledger, s.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.identity, true]);
        expect(await f.ledger.nonces(s.address)).to.equal(1n);
      }
      expect((await historyOf(f.ledger, c))[1]).to.equal(3n);
    });
  });

  describe("signed actions of one subject batched in order", () => {
    for (const grantFirst of [true, false]) {
      it(`multicall([${grantFirst ? "grantBySig, revokeAllBySig" : "revokeAllBySig, grantBySig"}]) with consecutive nonces leaves the consent ${grantFirst ? "inactive" : "active"}`, async () => {
        const f = await fixture();
        const c = f.controller.address;
        // an earlier direct grant (it consumes no nonce), so that the revoke-all has something to revoke either way
        await f.ledger.connect(f.subject).grant(c, PURPOSE.recognition, CATEGORY.location, 0, f.notice(c, PURPOSE.recognition));
        const sign = viemSign(IDX.subject);
        const deadline = await deadlineIn();
        const i = f.ledger.interface;
        const grantNonce = grantFirst ? 0n : 1n;
        const g = await grantMessage(f, { nonce: grantNonce, deadline });
        const gCall = i.encodeFunctionData("grantBySig", [
          f.subject.address, c, g.purpose as string, g.categories, g.expiresAt, g.noticeHash as string, deadline, await sign(f.domain, "Grant", g),
        ]);
        const r = { subject: f.subject.address, controller: c, nonce: grantFirst ? 1n : 0n, deadline };
        const rCall = i.encodeFunctionData("revokeAllBySig", [f.subject.address, c, deadline, await sign(f.domain, "RevokeAll", r)]);
        const tx = await f.ledger.connect(f.relayer).multicall(grantFirst ? [gCall, rCall] : [rCall, gCall]);
        const ts = await blockTime(tx);
        expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([
          BigInt(ts), 0n, grantFirst ? BigInt(ts) : 0n, CATEGORY.identity, !grantFirst,
        ]);
        expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.recognition)).to.equal(false);
        expect(await f.ledger.nonces(f.subject.address)).to.equal(2n);
        expect((await historyOf(f.ledger, c))[1]).to.equal(3n);
      });
    }

    it("refuses a batch whose signatures are out of nonce order, as a whole", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const deadline = await deadlineIn();
      const i = f.ledger.interface;
      const g = await grantMessage(f, { nonce: 1n, deadline });
      const gCall = i.encodeFunctionData("grantBySig", [
        f.subject.address, c, g.purpose as string, g.categories, g.expiresAt, g.noticeHash as string, deadline, await ethersSign(f.subject)(f.domain, "Grant", g),
      ]);
      await expect(f.ledger.connect(f.relayer).multicall([gCall]))
        .to.be.revertedWithCustomError(f.ledger, "NonceNotYetValid")
        .withArgs(f.subject.address, 1n);
      expect(await f.ledger.nonces(f.subject.address)).to.equal(0n);
    });
  });

  describe("tryMulticall of several subjects' signed actions", () => {
    /** Signed grants of LOYALTY by three subjects, each with its nonce 0, as a relay batches them. */
    async function signedGrants(f: Fixture) {
      const c = f.controller.address;
      const signers = [f.subject, f.stranger, f.delegate];
      const calls: string[] = [];
      for (const s of signers) {
        const m = await grantMessage(f, { subject: s.address, nonce: 0n });
        const sig = await ethersSign(s)(f.domain, "Grant", m);
        calls.push(f.ledger.interface.encodeFunctionData("grantBySig", [s.address, c, m.purpose as string, m.categories, m.expiresAt, m.noticeHash as string, m.deadline, sig]));
      }
      return { signers, calls };
    }

    it("keeps the batch when one signed call was copied out and submitted first: only that call fails, with BatchCallFailed", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const { signers, calls } = await signedGrants(f);
      // anyone can copy one call out of the pending batch and get it mined first
      await f.deployer.sendTransaction({ to: f.domain.verifyingContract, data: calls[1] });
      const replay = f.ledger.interface.encodeErrorResult("NonceAlreadyUsed", [signers[1].address, 0n]);
      // multicall stays all-or-nothing: the whole batch would revert
      await expect(f.ledger.connect(f.relayer).multicall(calls))
        .to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed")
        .withArgs(signers[1].address, 0n);
      const [success, results] = await f.ledger.connect(f.relayer).tryMulticall.staticCall(calls);
      expect([...success]).to.deep.equal([true, false, true]);
      expect([...results]).to.deep.equal(["0x", replay, "0x"]);
      const tx = await f.ledger.connect(f.relayer).tryMulticall(calls);
      const ts = await blockTime(tx);
      await expect(tx).to.emit(f.ledger, "BatchCallFailed").withArgs(1n, replay);
      for (const s of [signers[0], signers[2]]) {
        expect(await consent(f.ledger, s.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.identity, true]);
        expect(await f.ledger.nonces(s.address)).to.equal(1n);
      }
      expect(await f.ledger.nonces(signers[1].address)).to.equal(1n);
      expect((await historyOf(f.ledger, c))[1]).to.equal(3n);
    });

    it("keeps a subject's later signed call when its earlier one fails on a business rule", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const i = f.ledger.interface;
      const deadline = await deadlineIn();
      const sign = ethersSign(f.subject);
      // nonce 0: a revoke of a consent never granted (fails, consuming nothing); nonce 0 again: a grant
      const r = { subject: f.subject.address, controller: c, purpose: PURPOSE.loyalty, nonce: 0n, deadline };
      const g = await grantMessage(f, { nonce: 0n, deadline });
      const calls = [
        i.encodeFunctionData("revokeBySig", [f.subject.address, c, PURPOSE.loyalty, deadline, await sign(f.domain, "Revoke", r)]),
        i.encodeFunctionData("grantBySig", [f.subject.address, c, g.purpose as string, g.categories, g.expiresAt, g.noticeHash as string, deadline, await sign(f.domain, "Grant", g)]),
      ];
      const tx = await f.ledger.connect(f.relayer).tryMulticall(calls);
      await expect(tx).to.emit(f.ledger, "BatchCallFailed").withArgs(0n, i.encodeErrorResult("ConsentNotActive", [f.subject.address, c, PURPOSE.loyalty]));
      await expect(tx).to.emit(f.ledger, "ConsentGranted");
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.loyalty)).to.equal(true);
      expect(await f.ledger.nonces(f.subject.address)).to.equal(1n);
    });
  });

  describe("setDelegateBySig", () => {
    it("sets a delegate on the subject's signature (ethers and viem), with DelegateSet", async () => {
      const f = await fixture();
      for (const sign of [ethersSign(f.subject), viemSign(IDX.subject)]) {
        const until = (await time.latest()) + 500;
        const deadline = await deadlineIn();
        const m = { subject: f.subject.address, delegate: f.delegate.address, until, nonce: await f.ledger.delegateNonces(f.subject.address), deadline };
        await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.delegate.address, until, deadline, await sign(f.domain, "SetDelegate", m)))
          .to.emit(f.ledger, "DelegateSet")
          .withArgs(f.subject.address, f.delegate.address, until);
        expect(await f.ledger.delegateUntil(f.subject.address, f.delegate.address)).to.equal(BigInt(until));
      }
    });

    it("accepts an ERC-1271 wallet subject's signature", async () => {
      const f = await fixture();
      const w = addressOf(f.wallet);
      const deadline = await deadlineIn();
      const m = { subject: w, delegate: f.delegate.address, until: 0, nonce: 0n, deadline };
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(w, f.delegate.address, 0, deadline, await ethersSign(f.walletOwner)(f.domain, "SetDelegate", m)))
        .to.emit(f.ledger, "DelegateSet")
        .withArgs(w, f.delegate.address, 0);
    });

    it("cannot be signed by a delegate, even a live one", async () => {
      const f = await fixture();
      await withDelegate(f, f.delegate.address);
      const deadline = await deadlineIn();
      const m = { subject: f.subject.address, delegate: f.stranger.address, until: 0, nonce: await f.ledger.delegateNonces(f.subject.address), deadline };
      await expect(
        f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.stranger.address, 0, deadline, await ethersSign(f.delegate)(f.domain, "SetDelegate", m)),
      )
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, f.delegate.address);
      const d = addressOf(f.delegateWallet);
      await withDelegate(f, d);
      const m2 = { ...m, nonce: await f.ledger.delegateNonces(f.subject.address) };
      await expect(
        f.ledger
          .connect(f.relayer)
          .setDelegateBySig(f.subject.address, f.stranger.address, 0, deadline, ethers.concat([d, await ethersSign(f.delegateWalletOwner)(f.domain, "SetDelegate", m2)])),
      )
        .to.be.revertedWithCustomError(f.ledger, "InvalidSigner")
        .withArgs(f.subject.address, ethers.ZeroAddress);
    });

    it("cannot be blocked by a live delegate using up the subject's nonces (its own lane)", async () => {
      const f = await fixture();
      const c = f.controller.address;
      await withDelegate(f, f.delegate.address);
      // the subject signs the delegate's removal and hands it to a relay
      const deadline = await deadlineIn();
      const removal = { subject: f.subject.address, delegate: f.delegate.address, until: 0, nonce: await f.ledger.delegateNonces(f.subject.address), deadline };
      const removalSig = await ethersSign(f.subject)(f.domain, "SetDelegate", removal);
      // the delegate sees it coming and front-runs it with a harmless signed action of its own
      const byDelegate = bySigWay(f, "d", f.subject.address, f.delegate.address, ethersSign(f.delegate));
      await byDelegate.grant(c, PURPOSE.loyalty, CATEGORY.identity, 0, f.notice(c, PURPOSE.loyalty));
      await byDelegate.grant(c, PURPOSE.loyalty, CATEGORY.identity, 0, f.notice(c, PURPOSE.loyalty));
      expect(await f.ledger.nonces(f.subject.address)).to.equal(2n);
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.delegate.address, 0, deadline, removalSig))
        .to.emit(f.ledger, "DelegateSet")
        .withArgs(f.subject.address, f.delegate.address, 0);
      expect(await f.ledger.delegateUntil(f.subject.address, f.delegate.address)).to.equal(0n);
      const after = bySigWay(f, "d", f.subject.address, f.delegate.address, ethersSign(f.delegate));
      await expect(after.revokeAll(c)).to.be.revertedWithCustomError(f.ledger, "InvalidSigner").withArgs(f.subject.address, f.delegate.address);
    });

    it("applies the same checks as setDelegate, and refuses an expired deadline and a replay", async () => {
      const f = await fixture();
      const sign = ethersSign(f.subject);
      const deadline = await deadlineIn();
      const self = { subject: f.subject.address, delegate: f.subject.address, until: 0, nonce: 0n, deadline };
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.subject.address, 0, deadline, await sign(f.domain, "SetDelegate", self)))
        .to.be.revertedWithCustomError(f.ledger, "InvalidDelegate")
        .withArgs(f.subject.address);
      const m = { subject: f.subject.address, delegate: f.delegate.address, until: 0, nonce: 0n, deadline };
      const sig = await sign(f.domain, "SetDelegate", m);
      await f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.delegate.address, 0, deadline, sig);
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.delegate.address, 0, deadline, sig))
        .to.be.revertedWithCustomError(f.ledger, "NonceAlreadyUsed")
        .withArgs(f.subject.address, 0n);
      await time.increaseTo(deadline + 1n);
      await expect(f.ledger.connect(f.relayer).setDelegateBySig(f.subject.address, f.delegate.address, 0, deadline, sig))
        .to.be.revertedWithCustomError(f.ledger, "ExpiredSignature")
        .withArgs(deadline);
    });
  });
});
