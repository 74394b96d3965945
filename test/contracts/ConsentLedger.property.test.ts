/**
 * Property test: random sequences of grants, revocations, revoke-alls, delegate changes, batches and time
 * jumps run against the contract and against a small TypeScript model; after every step `isGranted`,
 * `consentOf`, `delegateUntil`, `nonces` and the history length agree with the model.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { CATEGORY, PURPOSE, ethersSign, fixture, historyOf, viemSign, IDX, type Fixture, type SignFn } from "./behaviours/ledger";

type Via = "direct" | "subject-sig" | "delegate-sig";
type Cmd =
  | { kind: "grant"; s: number; c: number; p: number; cats: bigint; exp: number | null; via: Via }
  | { kind: "revoke"; s: number; c: number; p: number; via: Via }
  | { kind: "revokeAll"; s: number; c: number; via: Via }
  | { kind: "delegate"; s: number; until: number | null }
  | { kind: "batch"; s: number; c: number; p: number; grantFirst: boolean }
  | { kind: "wait"; seconds: number };

interface Rec {
  grantedAt: number;
  expiresAt: number;
  revokedAt: number;
  categories: bigint;
  epoch: number;
}

class Model {
  records = new Map<string, Rec>();
  epochs = new Map<string, number>();
  revokeAllTimes = new Map<string, number[]>();
  delegates = new Map<number, number>();
  nonces = new Map<number, number>();
  lengths = new Map<number, number>();

  epoch(s: number, c: number) {
    return this.epochs.get(`${s}:${c}`) ?? 0;
  }
  active(s: number, c: number, p: number, now: number): boolean {
    const r = this.records.get(`${s}:${c}:${p}`);
    return !!r && r.revokedAt === 0 && r.epoch === this.epoch(s, c) && (r.expiresAt === 0 || now < r.expiresAt);
  }
  consentOf(s: number, c: number, p: number, now: number): [bigint, bigint, bigint, bigint, boolean] {
    const r = this.records.get(`${s}:${c}:${p}`);
    if (!r) return [0n, 0n, 0n, 0n, false];
    let revokedAt = r.revokedAt;
    if (revokedAt === 0 && r.epoch !== this.epoch(s, c)) {
      const t = this.revokeAllTimes.get(`${s}:${c}`)![r.epoch];
      if (r.expiresAt === 0 || t < r.expiresAt) revokedAt = t;
    }
    return [BigInt(r.grantedAt), BigInt(r.expiresAt), BigInt(revokedAt), r.categories, this.active(s, c, p, now)];
  }
  grant(s: number, c: number, p: number, cats: bigint, exp: number, now: number) {
    this.records.set(`${s}:${c}:${p}`, { grantedAt: now, expiresAt: exp, revokedAt: 0, categories: cats, epoch: this.epoch(s, c) });
    this.extend(c);
  }
  revoke(s: number, c: number, p: number, now: number) {
    this.records.get(`${s}:${c}:${p}`)!.revokedAt = now;
    this.extend(c);
  }
  revokeAll(s: number, c: number, now: number) {
    const key = `${s}:${c}`;
    this.revokeAllTimes.set(key, [...(this.revokeAllTimes.get(key) ?? []), now]);
    this.epochs.set(key, this.epoch(s, c) + 1);
    this.extend(c);
  }
  extend(c: number) {
    this.lengths.set(c, (this.lengths.get(c) ?? 0) + 1);
  }
  /** The custom error a signed action of subject `s` through `via` is refused with at `now`, if any. */
  authError(s: number, via: Via, now: number): string | undefined {
    if (via !== "delegate-sig") return undefined;
    const until = this.delegates.get(s) ?? 0;
    if (until === 0) return "InvalidSigner";
    return now <= until ? undefined : "DelegateExpired";
  }
}

const via = fc.constantFrom<Via>("direct", "subject-sig", "delegate-sig");
const s = fc.integer({ min: 0, max: 1 });
const c = fc.integer({ min: 0, max: 1 });
const p = fc.integer({ min: 0, max: 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("grant" as const), s, c, p, cats: fc.bigInt({ min: 0n, max: 7n }), exp: fc.option(fc.integer({ min: -2, max: 120 })), via }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("revoke" as const), s, c, p, via }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeAll" as const), s, c, via }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delegate" as const), s, until: fc.option(fc.integer({ min: -1, max: 40 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("batch" as const), s, c, p, grantFirst: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 90 })) }) },
);

describe("ConsentLedger property: contract and model agree", () => {
  it("after every step of random action sequences", async function () {
    this.timeout(180_000);
    const f: Fixture = await fixture();
    const subjects: HardhatEthersSigner[] = [f.subject, f.stranger];
    const subjectSign: SignFn[] = [ethersSign(f.subject), viemSign(IDX.stranger)];
    const delegateSign = viemSign(IDX.delegate);
    const controllers = [f.controller.address, f.controller2.address];
    const purposes = [PURPOSE.loyalty, PURPOSE.recognition];

    async function send(m: Model, cm: Exclude<Cmd, { kind: "wait" | "delegate" | "batch" }>, now: number): Promise<ContractTransactionResponse> {
      const subject = subjects[cm.s];
      const ctrl = controllers[cm.c];
      const l = f.ledger.connect(cm.via === "direct" ? subject : f.relayer);
      const sign = cm.via === "delegate-sig" ? delegateSign : subjectSign[cm.s];
      const deadline = BigInt(now + 1000);
      const nonce = BigInt(m.nonces.get(cm.s) ?? 0);
      const base = { subject: subject.address, controller: ctrl, nonce, deadline };
      if (cm.kind === "grant") {
        const purpose = purposes[cm.p];
        const exp = cm.exp === null ? 0 : now + cm.exp;
        const notice = f.notice(ctrl, purpose);
        if (cm.via === "direct") return l.grant(ctrl, purpose, cm.cats, exp, notice);
        const sig = await sign(f.domain, "Grant", { ...base, purpose, categories: cm.cats, expiresAt: exp, noticeHash: notice });
        return l.grantBySig(subject.address, ctrl, purpose, cm.cats, exp, notice, deadline, sig);
      }
      if (cm.kind === "revoke") {
        const purpose = purposes[cm.p];
        if (cm.via === "direct") return l.revoke(ctrl, purpose);
        return l.revokeBySig(subject.address, ctrl, purpose, deadline, await sign(f.domain, "Revoke", { ...base, purpose }));
      }
      if (cm.via === "direct") return l.revokeAll(ctrl);
      return l.revokeAllBySig(subject.address, ctrl, deadline, await sign(f.domain, "RevokeAll", base));
    }

    async function step(m: Model, cm: Cmd): Promise<void> {
      if (cm.kind === "wait") {
        await time.increase(cm.seconds);
        return;
      }
      const now = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(now);
      if (cm.kind === "delegate") {
        const until = cm.until === null ? 0 : now + cm.until;
        const tx = f.ledger.connect(subjects[cm.s]).setDelegate(f.delegate.address, until);
        if (until !== 0 && until < now) {
          await expect(tx).to.be.revertedWithCustomError(f.ledger, "DelegateUntilInPast").withArgs(until, now);
        } else {
          await expect(tx).to.emit(f.ledger, "DelegateSet").withArgs(subjects[cm.s].address, f.delegate.address, until);
          m.delegates.set(cm.s, until);
        }
        return;
      }
      if (cm.kind === "batch") {
        const ctrl = controllers[cm.c];
        const purpose = purposes[cm.p];
        const i = f.ledger.interface;
        const g = i.encodeFunctionData("grant", [ctrl, purpose, CATEGORY.contact, 0, f.notice(ctrl, purpose)]);
        const r = i.encodeFunctionData("revokeAll", [ctrl]);
        await f.ledger.connect(subjects[cm.s]).multicall(cm.grantFirst ? [g, r] : [r, g]);
        if (cm.grantFirst) {
          m.grant(cm.s, cm.c, cm.p, CATEGORY.contact, 0, now);
          m.revokeAll(cm.s, cm.c, now);
        } else {
          m.revokeAll(cm.s, cm.c, now);
          m.grant(cm.s, cm.c, cm.p, CATEGORY.contact, 0, now);
        }
        return;
      }
      let expected = m.authError(cm.s, cm.via, now);
      if (!expected && cm.kind === "grant") {
        const exp = cm.exp === null ? 0 : now + cm.exp;
        if (cm.cats === 0n) expected = "EmptyCategories";
        else if (exp !== 0 && exp <= now) expected = "ExpiryNotInFuture";
      }
      if (!expected && cm.kind === "revoke" && !m.active(cm.s, cm.c, cm.p, now)) expected = "ConsentNotActive";
      const tx = send(m, cm, now);
      if (expected) {
        await expect(tx).to.be.revertedWithCustomError(f.ledger, expected);
        return;
      }
      await (await tx).wait();
      if (cm.via !== "direct") m.nonces.set(cm.s, (m.nonces.get(cm.s) ?? 0) + 1);
      if (cm.kind === "grant") m.grant(cm.s, cm.c, cm.p, cm.cats, cm.exp === null ? 0 : now + cm.exp, now);
      else if (cm.kind === "revoke") m.revoke(cm.s, cm.c, cm.p, now);
      else m.revokeAll(cm.s, cm.c, now);
    }

    async function check(m: Model): Promise<void> {
      const now = await time.latest();
      for (let si = 0; si < 2; si++) {
        const subject = subjects[si].address;
        expect(await f.ledger.nonces(subject)).to.equal(BigInt(m.nonces.get(si) ?? 0));
        expect(await f.ledger.delegateUntil(subject, f.delegate.address)).to.equal(BigInt(m.delegates.get(si) ?? 0));
        for (let ci = 0; ci < 2; ci++) {
          for (let pi = 0; pi < 2; pi++) {
            const want = m.consentOf(si, ci, pi, now);
            expect([...(await f.ledger.consentOf(subject, controllers[ci], purposes[pi]))]).to.deep.equal(want);
            expect(await f.ledger.isGranted(subject, controllers[ci], purposes[pi])).to.equal(want[4]);
          }
        }
      }
      for (let ci = 0; ci < 2; ci++) {
        expect((await historyOf(f.ledger, controllers[ci]))[1]).to.equal(BigInt(m.lengths.get(ci) ?? 0));
      }
    }

    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 20 }), async (cmds) => {
        const snapshot = await network.provider.send("evm_snapshot");
        try {
          const m = new Model();
          for (const cm of cmds) {
            await step(m, cm);
            await check(m);
          }
        } finally {
          await network.provider.send("evm_revert", [snapshot]);
        }
      }),
      { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20261125), endOnFailure: false },
    );
  });
});
