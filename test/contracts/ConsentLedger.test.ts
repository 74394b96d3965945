import { expect } from "chai";
import { ethers } from "hardhat";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { createPublicClient, custom, zeroHash, type Hex } from "viem";
import {
  CATEGORY,
  PURPOSE,
  ZERO_ADDRESS,
  blockTime,
  consent,
  directWay,
  fixture,
  historyOf,
  grantLink,
  shouldBehaveLikeConsentActions,
  shouldBehaveLikeDirectActionsThatCancelSignatures,
  walletWay,
} from "./behaviours/ledger";
import { consentLedgerAbi } from "../../client/abis";
import { HistoryAction, firstBrokenLink, nextHead, recomputeHead, recordsFromLogs } from "../../server/audit/historyChain";

describe("ConsentLedger", () => {
  describe("deployment", () => {
    it("has the pinned EIP-712 domain, type hashes and an empty state", async () => {
      const f = await fixture();
      const domain = await f.ledger.eip712Domain();
      expect([...domain]).to.deep.equal([
        "0x0f",
        "Confiance ConsentLedger",
        "1",
        31337n,
        f.domain.verifyingContract,
        zeroHash,
        [],
      ]);
      expect(await f.ledger.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(f.domain));
      expect(await f.ledger.GRANT_TYPEHASH()).to.equal(
        ethers.id(
          "Grant(address subject,address controller,bytes32 purpose,uint64 categories,uint40 expiresAt,bytes32 noticeHash,uint256 nonce,uint256 deadline)",
        ),
      );
      expect(await f.ledger.REVOKE_TYPEHASH()).to.equal(
        ethers.id("Revoke(address subject,address controller,bytes32 purpose,uint256 nonce,uint256 deadline)"),
      );
      expect(await f.ledger.REVOKE_ALL_TYPEHASH()).to.equal(
        ethers.id("RevokeAll(address subject,address controller,uint256 nonce,uint256 deadline)"),
      );
      expect(await f.ledger.SET_DELEGATE_TYPEHASH()).to.equal(
        ethers.id("SetDelegate(address subject,address delegate,uint40 until,uint256 nonce,uint256 deadline)"),
      );
      expect(await f.ledger.nonces(f.subject.address)).to.equal(0n);
      expect(await historyOf(f.ledger, f.controller.address)).to.deep.equal([zeroHash, 0n]);
      expect(await consent(f.ledger, f.subject.address, f.controller.address, PURPOSE.loyalty)).to.deep.equal([0n, 0n, 0n, 0n, false]);
      expect(await f.ledger.delegateUntil(f.subject.address, f.delegate.address)).to.equal(0n);
    });
  });

  describe("definePurpose / purposeOf", () => {
    it("publishes a notice and a new version replaces it; existing grants stay, new grants need the new hash", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const v1 = f.notice(c, PURPOSE.loyalty);
      expect([...(await f.ledger.purposeOf(c, PURPOSE.loyalty))]).to.deep.equal([v1, "https://brand.example/notices/loyalty/v1"]);
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.identity, 0, v1);

      const v2 = ethers.id("loyalty notice v2");
      await expect(f.ledger.connect(f.controller).definePurpose(PURPOSE.loyalty, v2, "ipfs://v2"))
        .to.emit(f.ledger, "PurposeDefined")
        .withArgs(c, PURPOSE.loyalty, v2, "ipfs://v2");
      expect([...(await f.ledger.purposeOf(c, PURPOSE.loyalty))]).to.deep.equal([v2, "ipfs://v2"]);
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.loyalty)).to.equal(true);
      await expect(f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.identity, 0, v1))
        .to.be.revertedWithCustomError(f.ledger, "StaleNotice")
        .withArgs(c, PURPOSE.loyalty, v2, v1);
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.identity, 0, v2);
    });

    it("is per controller and returns zero for an undefined purpose", async () => {
      const f = await fixture();
      expect([...(await f.ledger.purposeOf(f.stranger.address, PURPOSE.loyalty))]).to.deep.equal([zeroHash, ""]);
      expect((await f.ledger.purposeOf(f.controller2.address, PURPOSE.loyalty))[0]).to.equal(
        f.notice(f.controller2.address, PURPOSE.loyalty),
      );
    });

    it("refuses the zero purpose and the zero notice hash", async () => {
      const f = await fixture();
      await expect(f.ledger.definePurpose(zeroHash, ethers.id("n"), "u")).to.be.revertedWithCustomError(f.ledger, "ZeroPurpose");
      await expect(f.ledger.definePurpose(PURPOSE.loyalty, zeroHash, "u")).to.be.revertedWithCustomError(f.ledger, "ZeroNoticeHash");
    });
  });

  describe("direct call by an EOA subject", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      return { f, way: directWay(f, f.subject) };
    });
    shouldBehaveLikeDirectActionsThatCancelSignatures(async () => {
      const f = await fixture();
      return { f, way: directWay(f, f.subject) };
    });
  });

  describe("direct call by an ERC-1271 wallet subject", () => {
    shouldBehaveLikeConsentActions(async () => {
      const f = await fixture();
      return { f, way: walletWay(f) };
    });
    shouldBehaveLikeDirectActionsThatCancelSignatures(async () => {
      const f = await fixture();
      return { f, way: walletWay(f) };
    });
  });

  describe("revokeAll by someone who never granted", () => {
    it("is refused with NothingToRevoke, so nobody can pad a controller's history", async () => {
      const f = await fixture();
      const c = f.controller.address;
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.identity, 0, f.notice(c, PURPOSE.loyalty));
      const before = await historyOf(f.ledger, c);
      for (const s of [f.stranger, f.relayer, f.deployer]) {
        await expect(f.ledger.connect(s).revokeAll(c)).to.be.revertedWithCustomError(f.ledger, "NothingToRevoke").withArgs();
      }
      expect(await historyOf(f.ledger, c)).to.deep.equal(before);
      expect(await f.ledger.nonces(f.stranger.address)).to.equal(0n);
    });
  });

  describe("setDelegate", () => {
    it("names, extends and removes a delegate with DelegateSet", async () => {
      const f = await fixture();
      const l = f.ledger.connect(f.subject);
      const until = (await time.latest()) + 1000;
      await expect(l.setDelegate(f.delegate.address, until))
        .to.emit(f.ledger, "DelegateSet")
        .withArgs(f.subject.address, f.delegate.address, until);
      expect(await f.ledger.delegateUntil(f.subject.address, f.delegate.address)).to.equal(BigInt(until));
      expect(await f.ledger.delegateUntil(f.delegate.address, f.subject.address)).to.equal(0n);
      await expect(l.setDelegate(f.delegate.address, 0)).to.emit(f.ledger, "DelegateSet").withArgs(f.subject.address, f.delegate.address, 0);
      expect(await f.ledger.delegateUntil(f.subject.address, f.delegate.address)).to.equal(0n);
    });

    it("accepts until equal to the block time and refuses one before it", async () => {
      const f = await fixture();
      const l = f.ledger.connect(f.subject);
      const now = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(now);
      await expect(l.setDelegate(f.delegate.address, now)).to.emit(f.ledger, "DelegateSet");
      await time.setNextBlockTimestamp(now + 2);
      await expect(l.setDelegate(f.delegate.address, now + 1))
        .to.be.revertedWithCustomError(f.ledger, "DelegateUntilInPast")
        .withArgs(now + 1, now + 2);
    });

    it("refuses the zero address and the subject itself", async () => {
      const f = await fixture();
      const l = f.ledger.connect(f.subject);
      await expect(l.setDelegate(ZERO_ADDRESS, 1n << 39n)).to.be.revertedWithCustomError(f.ledger, "InvalidDelegate").withArgs(ZERO_ADDRESS);
      await expect(l.setDelegate(f.subject.address, 1n << 39n))
        .to.be.revertedWithCustomError(f.ledger, "InvalidDelegate")
        .withArgs(f.subject.address);
    });
  });

  describe("multicall", () => {
    it("[grant, revokeAll] in one transaction leaves the consent inactive, revoked at that time", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const i = f.ledger.interface;
      const tx = await f.ledger.connect(f.subject).multicall([
        i.encodeFunctionData("grant", [c, PURPOSE.loyalty, CATEGORY.identity, 0, f.notice(c, PURPOSE.loyalty)]),
        i.encodeFunctionData("revokeAll", [c]),
      ]);
      const ts = await blockTime(tx);
      await expect(tx).to.emit(f.ledger, "ConsentGranted");
      await expect(tx).to.emit(f.ledger, "AllConsentsRevoked");
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.loyalty)).to.equal(false);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(ts), 0n, BigInt(ts), CATEGORY.identity, false]);
      expect((await historyOf(f.ledger, c))[1]).to.equal(2n);
    });

    it("[revokeAll, grant] in one transaction leaves the consent active", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const i = f.ledger.interface;
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.contact, 0, f.notice(c, PURPOSE.loyalty));
      const tx = await f.ledger.connect(f.subject).multicall([
        i.encodeFunctionData("revokeAll", [c]),
        i.encodeFunctionData("grant", [c, PURPOSE.loyalty, CATEGORY.identity, 0, f.notice(c, PURPOSE.loyalty)]),
      ]);
      const ts = await blockTime(tx);
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.loyalty)).to.equal(true);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.identity, true]);
    });

    it("acts for the caller only: a batch cannot speak for another subject", async () => {
      const f = await fixture();
      const c = f.controller.address;
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.contact, 0, f.notice(c, PURPOSE.loyalty));
      await expect(f.ledger.connect(f.stranger).multicall([f.ledger.interface.encodeFunctionData("revoke", [c, PURPOSE.loyalty])]))
        .to.be.revertedWithCustomError(f.ledger, "ConsentNotActive")
        .withArgs(f.stranger.address, c, PURPOSE.loyalty);
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.loyalty)).to.equal(true);
    });
  });

  describe("tryMulticall", () => {
    it("runs every call in order for the caller; a call that reverts is reported with BatchCallFailed and the others stand", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const i = f.ledger.interface;
      const l = f.ledger.connect(f.subject);
      const calls = [
        i.encodeFunctionData("grant", [c, PURPOSE.loyalty, CATEGORY.identity, 0, f.notice(c, PURPOSE.loyalty)]),
        i.encodeFunctionData("revoke", [c, PURPOSE.recognition]),
        i.encodeFunctionData("grant", [c, PURPOSE.shoppingList, CATEGORY.preferences, 0, ethers.id("stale")]),
        i.encodeFunctionData("grant", [c, PURPOSE.recognition, CATEGORY.location, 0, f.notice(c, PURPOSE.recognition)]),
        i.encodeFunctionData("nonces", [f.subject.address]),
      ];
      const notActive = i.encodeErrorResult("ConsentNotActive", [f.subject.address, c, PURPOSE.recognition]);
      const stale = i.encodeErrorResult("StaleNotice", [c, PURPOSE.shoppingList, f.notice(c, PURPOSE.shoppingList), ethers.id("stale")]);
      const [success, results] = await l.tryMulticall.staticCall(calls);
      expect([...success]).to.deep.equal([true, false, false, true, true]);
      expect([...results]).to.deep.equal(["0x", notActive, stale, "0x", ethers.toBeHex(0n, 32)]);

      const tx = await l.tryMulticall(calls);
      const ts = await blockTime(tx);
      await expect(tx).to.emit(f.ledger, "BatchCallFailed").withArgs(1n, notActive);
      await expect(tx).to.emit(f.ledger, "BatchCallFailed").withArgs(2n, stale);
      const receipt = await tx.wait();
      const failed = receipt!.logs.map((log) => i.parseLog(log)).filter((e) => e?.name === "BatchCallFailed");
      expect(failed.map((e) => e!.args.index)).to.deep.equal([1n, 2n]);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.identity, true]);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.recognition)).to.deep.equal([BigInt(ts), 0n, 0n, CATEGORY.location, true]);
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.shoppingList)).to.equal(false);
      expect((await historyOf(f.ledger, c))[1]).to.equal(2n);
      expect(await f.ledger.nonces(f.subject.address)).to.equal(0n);
    });

    it("succeeds as a transaction when every call fails, and changes nothing", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const i = f.ledger.interface;
      const calls = [i.encodeFunctionData("revokeAll", [c]), i.encodeFunctionData("revoke", [c, PURPOSE.loyalty])];
      const tx = await f.ledger.connect(f.stranger).tryMulticall(calls);
      await expect(tx).to.emit(f.ledger, "BatchCallFailed").withArgs(0n, i.encodeErrorResult("NothingToRevoke", []));
      await expect(tx)
        .to.emit(f.ledger, "BatchCallFailed")
        .withArgs(1n, i.encodeErrorResult("ConsentNotActive", [f.stranger.address, c, PURPOSE.loyalty]));
      await expect(tx).to.not.emit(f.ledger, "AllConsentsRevoked");
      expect(await historyOf(f.ledger, c)).to.deep.equal([zeroHash, 0n]);
      const [success, results] = await f.ledger.connect(f.stranger).tryMulticall.staticCall([]);
      expect([[...success], [...results]]).to.deep.equal([[], []]);
    });

    it("acts for the caller only: it cannot speak for another subject", async () => {
      const f = await fixture();
      const c = f.controller.address;
      await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, CATEGORY.contact, 0, f.notice(c, PURPOSE.loyalty));
      const tx = await f.ledger.connect(f.stranger).tryMulticall([f.ledger.interface.encodeFunctionData("revoke", [c, PURPOSE.loyalty])]);
      await expect(tx)
        .to.emit(f.ledger, "BatchCallFailed")
        .withArgs(0n, f.ledger.interface.encodeErrorResult("ConsentNotActive", [f.stranger.address, c, PURPOSE.loyalty]));
      expect(await f.ledger.isGranted(f.subject.address, c, PURPOSE.loyalty)).to.equal(true);
    });
  });

  describe("consentOf after several revoke-alls", () => {
    it("reports the time of the revoke-all that ended each record, across packed time slots", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const l = f.ledger.connect(f.subject);
      const notice = f.notice(c, PURPOSE.loyalty);
      const ended: { grantedAt: number; revokedAt: number; purpose: string }[] = [];
      // 14 rounds: grant a purpose, then revoke-all; revoke-all times span three packed slots (6 per slot).
      for (let round = 0; round < 14; round++) {
        const purpose = round % 2 === 0 ? PURPOSE.loyalty : PURPOSE.shoppingList;
        const n = f.notice(c, purpose);
        const grantedAt = await blockTime(await l.grant(c, purpose, BigInt(round + 1), 0, n));
        await time.increase(7 + round);
        const revokedAt = await blockTime(await l.revokeAll(c));
        ended.push({ grantedAt, revokedAt, purpose });
        await time.increase(3);
        if (round === 12) {
          // a record granted in round 12 and kept untouched keeps its own revoke-all time
          const rec = await consent(f.ledger, f.subject.address, c, purpose);
          expect(rec).to.deep.equal([BigInt(grantedAt), 0n, BigInt(revokedAt), BigInt(round + 1), false]);
        }
      }
      // the last record of each purpose was ended by the revoke-all of its own round, not a later one
      const lastLoyalty = ended[12];
      const lastList = ended[13];
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(lastLoyalty.grantedAt), 0n, BigInt(lastLoyalty.revokedAt), 13n, false]);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.shoppingList)).to.deep.equal([BigInt(lastList.grantedAt), 0n, BigInt(lastList.revokedAt), 14n, false]);
      // an earlier record, ended by revoke-all number 2 (first slot), checked after more revoke-alls
      const t = await blockTime(await l.grant(c, PURPOSE.recognition, 1n, 0, f.notice(c, PURPOSE.recognition)));
      const r = await blockTime(await l.revokeAll(c));
      await l.grant(c, PURPOSE.loyalty, 1n, 0, notice);
      await l.revokeAll(c);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.recognition)).to.deep.equal([BigInt(t), 0n, BigInt(r), 1n, false]);
      expect(notice).to.equal(f.notice(c, PURPOSE.loyalty));
    });

    it("reports no revocation for a record that had expired before the revoke-all, nor for a single revocation overtaken by one", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const l = f.ledger.connect(f.subject);
      const expiresAt = (await time.latest()) + 30;
      const t1 = await blockTime(await l.grant(c, PURPOSE.loyalty, 3n, expiresAt, f.notice(c, PURPOSE.loyalty)));
      const t2 = await blockTime(await l.grant(c, PURPOSE.recognition, 3n, 0, f.notice(c, PURPOSE.recognition)));
      const r2 = await blockTime(await l.revoke(c, PURPOSE.recognition));
      await time.increaseTo(expiresAt);
      await l.revokeAll(c);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(t1), BigInt(expiresAt), 0n, 3n, false]);
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.recognition)).to.deep.equal([BigInt(t2), 0n, BigInt(r2), 3n, false]);
    });

    it("reports the revoke-all for an expiring record it ended before its expiry", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const l = f.ledger.connect(f.subject);
      const expiresAt = (await time.latest()) + 300;
      const t1 = await blockTime(await l.grant(c, PURPOSE.loyalty, 3n, expiresAt, f.notice(c, PURPOSE.loyalty)));
      const r = await blockTime(await l.revokeAll(c));
      expect(await consent(f.ledger, f.subject.address, c, PURPOSE.loyalty)).to.deep.equal([BigInt(t1), BigInt(expiresAt), BigInt(r), 3n, false]);
    });
  });

  describe("history chain", () => {
    it("hashes each link exactly as DESIGN pins it (independent ethers encoding)", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const notice = f.notice(c, PURPOSE.loyalty);
      const ts = await blockTime(await f.ledger.connect(f.subject).grant(c, PURPOSE.loyalty, 5n, 4_000_000_000, notice));
      const encoded = ethers.AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint8", "address", "bytes32", "uint64", "uint40", "bytes32", "address", "uint40"],
        [zeroHash, 1, f.subject.address, PURPOSE.loyalty, 5n, 4_000_000_000, notice, f.subject.address, ts],
      );
      expect(await historyOf(f.ledger, c)).to.deep.equal([ethers.keccak256(encoded), 1n]);
      expect(nextHead(zeroHash, grantLink(f.subject.address, PURPOSE.loyalty, 5n, 4_000_000_000, notice, f.subject.address, ts))).to.equal(
        ethers.keccak256(encoded),
      );
    });

    it("is recomputed from logs alone (server/audit/historyChain.ts) after a long mixed sequence", async () => {
      const f = await fixture();
      const c = f.controller.address;
      const i = f.ledger.interface;
      const subjects = [f.subject, f.stranger, f.relayer];
      await f.ledger.connect(f.subject).setDelegate(f.delegate.address, (await time.latest()) + 100_000);
      const purposes = Object.values(PURPOSE);
      for (let k = 0; k < 40; k++) {
        const s = subjects[k % 3];
        const p = purposes[k % 3];
        const l = f.ledger.connect(s);
        if (await f.ledger.isGranted(s.address, c, p)) {
          if (k % 5 === 0) await l.revokeAll(c);
          else await l.revoke(c, p);
        } else if (k % 7 === 3) {
          await l.multicall([
            i.encodeFunctionData("grant", [c, p, BigInt(k + 1), 0, f.notice(c, p)]),
            i.encodeFunctionData("revokeAll", [c]),
            i.encodeFunctionData("grant", [c, p, BigInt(k + 2), 0, f.notice(c, p)]),
          ]);
        } else {
          await l.grant(c, p, BigInt(k + 1), k % 2 ? 0 : (await time.latest()) + 50 + k, f.notice(c, p));
        }
        // other controllers' actions and delegate changes are interleaved and must not disturb the chain
        if (k % 4 === 0) await l.grant(f.controller2.address, p, 1n, 0, f.notice(f.controller2.address, p));
        if (k % 9 === 0) await f.ledger.connect(s).setDelegate(f.delegate.address, (await time.latest()) + 10_000);
        if (k % 6 === 0) await time.increase(40);
      }

      const client = createPublicClient({ transport: custom(hre.network.provider) });
      const logs = await client.getContractEvents({
        address: f.domain.verifyingContract as Hex,
        abi: consentLedgerAbi,
        args: { controller: c as Hex },
        fromBlock: 0n,
      });
      const timestamps = new Map<bigint, bigint>();
      for (const log of logs) {
        if (!timestamps.has(log.blockNumber)) timestamps.set(log.blockNumber, (await client.getBlock({ blockNumber: log.blockNumber })).timestamp);
      }
      const records = recordsFromLogs(logs, timestamps);
      const [head, length] = await historyOf(f.ledger, c);
      expect(records.length).to.equal(Number(length));
      expect(length).to.be.greaterThan(40n);
      expect(records.filter((r) => r.action === HistoryAction.RevokeAll).length).to.be.greaterThan(3);
      expect(recomputeHead(records)).to.deep.equal({ head, length });
      expect(firstBrokenLink(records)).to.equal(-1);
      expect(records.every((r) => r.controller === c)).to.equal(true);

      // an omitted, altered or reordered record is detected
      const omitted = [...records.slice(0, 10), ...records.slice(11)];
      expect(recomputeHead(omitted).head).to.not.equal(head);
      expect(firstBrokenLink(omitted)).to.equal(10);
      const altered = records.map((r, k) => (k === 7 ? { ...r, categories: r.categories + 1n } : r));
      expect(recomputeHead(altered).head).to.not.equal(head);
      expect(firstBrokenLink(altered)).to.equal(7);
      // unfiltered logs: PurposeDefined and DelegateSet are skipped, other controllers' links kept apart
      const all = await client.getContractEvents({ address: f.domain.verifyingContract as Hex, abi: consentLedgerAbi, fromBlock: 0n });
      expect(all.some((l) => l.eventName === "DelegateSet" || l.eventName === "PurposeDefined")).to.equal(true);
      for (const log of all) {
        if (!timestamps.has(log.blockNumber)) timestamps.set(log.blockNumber, (await client.getBlock({ blockNumber: log.blockNumber })).timestamp);
      }
      const everything = recordsFromLogs(all, timestamps);
      expect(everything.filter((r) => r.controller === c)).to.deep.equal(records);
      const [head2, length2] = await historyOf(f.ledger, f.controller2.address);
      expect(recomputeHead(everything.filter((r) => r.controller === f.controller2.address))).to.deep.equal({ head: head2, length: length2 });
      expect(() => recordsFromLogs(logs, new Map())).to.throw(/no timestamp for block/);

      const reordered = [...records];
      [reordered[3], reordered[4]] = [reordered[4], reordered[3]];
      expect(recomputeHead(reordered).head).to.not.equal(head);
      expect(firstBrokenLink(reordered)).to.equal(3);
    });
  });
});
