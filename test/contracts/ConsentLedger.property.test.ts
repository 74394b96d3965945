/**
 * Property test: random sequences of grants, revocations, revoke-alls, delegate changes, nonce uses, batches
 * (`multicall` and `tryMulticall`), signatures handed out and submitted later, and time jumps run against the
 * contract and against a small TypeScript model of it. Every step is checked exactly: each transaction's
 * revert data or its full list of events (arguments included, `seq` and `head` from the model's own history
 * chain), then every view (`consentOf`, `isGranted`, `delegateUntil`, `nonces`, `delegateNonces`) and the
 * history head recomputed from the logs alone (server/audit/historyChain.ts) against `historyHead`.
 *
 * Size: `npm test` in CI (`CI` set, as .ci/run does) runs at least 10,000 operations; locally, and under
 * `npm run coverage`, a smaller count. `FC_RUNS` overrides the number of sequences and `FC_SEED` the seed.
 */
import { expect } from "chai";
import hre, { ethers, network } from "hardhat";
import type { EventFragment, Interface } from "ethers";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { zeroHash, type Hex, type Log } from "viem";
import { parseEventLogs } from "viem";
import { CATEGORY, PURPOSE, ethersSign, fixture, viemSign, IDX, TYPES, type Fixture, type Message, type PrimaryType, type SignFn } from "./behaviours/ledger";
import { consentLedgerAbi } from "../../client/abis";
import { HistoryAction, nextHead, recordsFromLogs, type HistoryLink } from "../../server/audit/historyChain";

const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";
/** `npm run coverage` instruments the contracts (each call is many times slower): it needs lines, not volume. */
const COVERAGE = (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;
const STEPS_PER_RUN = 50;
const RUNS = Number(process.env.FC_RUNS ?? (IN_CI && !COVERAGE ? 205 : COVERAGE ? 2 : 24));
/** Operations (transactions and time jumps) CI must run in total. */
const CI_MIN_OPERATIONS = 10_000;

interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
}

type Via = "direct" | "subject-sig" | "delegate-sig";
type Signer = "subject" | "delegate";
type Lane = "actions" | "delegates";

/** A signed action to make: its type, whose, who signs, and its fields (only those of its type are used). */
interface SignSpec {
  type: PrimaryType;
  s: number;
  signer: Signer;
  c: number;
  p: number;
  cats: bigint;
  exp: number | null;
  until: number | null;
}

type BatchItem = { fresh: SignSpec } | { pending: number };

type Cmd =
  | { kind: "grant"; s: number; c: number; p: number; cats: bigint; exp: number | null; via: Via }
  | { kind: "revoke"; s: number; c: number; p: number; via: Via }
  | { kind: "revokeAll"; s: number; c: number; via: Via }
  | { kind: "delegate"; s: number; until: number | null; bySig: boolean }
  | { kind: "multicall"; s: number; c: number; p: number; grantFirst: boolean }
  | { kind: "useNonce"; s: number; lane: Lane }
  | { kind: "sign"; spec: SignSpec }
  | { kind: "submit"; k: number }
  | { kind: "tryMulticall"; items: BatchItem[] }
  | { kind: "wait"; seconds: number };

/** A signature made at some point and not necessarily submitted yet. */
interface Signed {
  type: PrimaryType;
  s: number;
  signer: Signer;
  message: Message;
  nonce: bigint;
  deadline: number;
  signature: string;
  data: string;
}

/** An expected event: its name and its arguments as ethers decodes them. */
type Ev = [string, ...unknown[]];
/** An expected refusal: the custom error's name and arguments. */
type Err = [string, ...unknown[]];

interface Rec {
  grantedAt: number;
  expiresAt: number;
  revokedAt: number;
  categories: bigint;
  epoch: number;
}

/** The ledger as the design states it; `events` collects what the current transaction must emit. */
class Model {
  records = new Map<string, Rec>();
  epochs = new Map<string, number>();
  grantedSinceRevokeAll = new Set<string>();
  revokeAllTimes = new Map<string, number[]>();
  delegates = new Map<number, number>();
  nonces = new Map<string, bigint>();
  heads = new Map<number, { head: Hex; length: bigint }>();
  events: Ev[] = [];

  constructor(
    readonly subjects: string[],
    readonly controllers: string[],
    readonly purposes: string[],
    readonly delegate: string,
  ) {}

  /** A deep copy (the state a reverted call rolls back to). */
  clone(): Model {
    const m = new Model(this.subjects, this.controllers, this.purposes, this.delegate);
    for (const [k, r] of this.records) m.records.set(k, { ...r });
    m.epochs = new Map(this.epochs);
    m.grantedSinceRevokeAll = new Set(this.grantedSinceRevokeAll);
    for (const [k, t] of this.revokeAllTimes) m.revokeAllTimes.set(k, [...t]);
    m.delegates = new Map(this.delegates);
    m.nonces = new Map(this.nonces);
    m.heads = new Map(this.heads);
    m.events = [...this.events];
    return m;
  }

  epoch(s: number, c: number) {
    return this.epochs.get(`${s}:${c}`) ?? 0;
  }
  nonce(s: number, lane: Lane): bigint {
    return this.nonces.get(`${s}:${lane}`) ?? 0n;
  }
  useNonce(s: number, lane: Lane): bigint {
    const n = this.nonce(s, lane);
    this.nonces.set(`${s}:${lane}`, n + 1n);
    return n;
  }
  history(c: number) {
    return this.heads.get(c) ?? { head: zeroHash, length: 0n };
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
  delegateLive(s: number, now: number) {
    const until = this.delegates.get(s) ?? 0;
    return until !== 0 && now <= until;
  }

  /** Appends a link to controller `c`'s chain and returns the ConsentGranted/...'s `seq` and `head`. */
  private extend(c: number, link: HistoryLink): [bigint, Hex] {
    const h = this.history(c);
    const head = nextHead(h.head, link);
    this.heads.set(c, { head, length: h.length + 1n });
    return [h.length + 1n, head];
  }

  grant(s: number, c: number, p: number, cats: bigint, exp: number, actor: string, now: number): Err | null {
    if (cats === 0n) return ["EmptyCategories"];
    if (exp !== 0 && exp <= now) return ["ExpiryNotInFuture", BigInt(exp), BigInt(now)];
    this.records.set(`${s}:${c}:${p}`, { grantedAt: now, expiresAt: exp, revokedAt: 0, categories: cats, epoch: this.epoch(s, c) });
    this.grantedSinceRevokeAll.add(`${s}:${c}`);
    const subject = this.subjects[s];
    const notice = noticeOf(this.controllers[c], this.purposes[p]);
    const [seq, head] = this.extend(c, { action: HistoryAction.Grant, subject: subject as Hex, purpose: this.purposes[p] as Hex, categories: cats, expiresAt: exp, noticeHash: notice as Hex, actor: actor as Hex, timestamp: now });
    this.events.push(["ConsentGranted", subject, this.controllers[c], this.purposes[p], cats, BigInt(exp), notice, actor, seq, head]);
    return null;
  }
  revoke(s: number, c: number, p: number, actor: string, now: number): Err | null {
    const subject = this.subjects[s];
    if (!this.active(s, c, p, now)) return ["ConsentNotActive", subject, this.controllers[c], this.purposes[p]];
    this.records.get(`${s}:${c}:${p}`)!.revokedAt = now;
    const [seq, head] = this.extend(c, { action: HistoryAction.Revoke, subject: subject as Hex, purpose: this.purposes[p] as Hex, categories: 0n, expiresAt: 0, noticeHash: zeroHash, actor: actor as Hex, timestamp: now });
    this.events.push(["ConsentRevoked", subject, this.controllers[c], this.purposes[p], actor, seq, head]);
    return null;
  }
  revokeAll(s: number, c: number, actor: string, now: number): Err | null {
    const key = `${s}:${c}`;
    if (!this.grantedSinceRevokeAll.has(key)) return ["NothingToRevoke"];
    this.grantedSinceRevokeAll.delete(key);
    this.revokeAllTimes.set(key, [...(this.revokeAllTimes.get(key) ?? []), now]);
    this.epochs.set(key, this.epoch(s, c) + 1);
    const subject = this.subjects[s];
    const [seq, head] = this.extend(c, { action: HistoryAction.RevokeAll, subject: subject as Hex, purpose: zeroHash, categories: 0n, expiresAt: 0, noticeHash: zeroHash, actor: actor as Hex, timestamp: now });
    this.events.push(["AllConsentsRevoked", subject, this.controllers[c], actor, seq, head]);
    return null;
  }
  setDelegate(s: number, until: number, now: number): Err | null {
    if (until !== 0 && until < now) return ["DelegateUntilInPast", BigInt(until), BigInt(now)];
    this.delegates.set(s, until);
    this.events.push(["DelegateSet", this.subjects[s], this.delegate, BigInt(until)]);
    return null;
  }
  nonceUsed(s: number, lane: Lane) {
    this.events.push(["NonceUsed", this.subjects[s], this.useNonce(s, lane)]);
  }
}

const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
/** Deep equality, checked on a cheap serialisation first (chai's deep equality is slow over thousands of steps). */
function same(got: unknown, want: unknown) {
  if (text(got) !== text(want)) expect(got).to.deep.equal(want);
}

/** The fixture's notice hashes, by controller address and purpose (set once the fixture is loaded). */
let noticeOf: (controller: string, purpose: string) => string;

const via = fc.constantFrom<Via>("direct", "subject-sig", "delegate-sig");
const s = fc.integer({ min: 0, max: 1 });
const c = fc.integer({ min: 0, max: 1 });
const p = fc.integer({ min: 0, max: 1 });
const cats = fc.bigInt({ min: 0n, max: 7n });
const exp = fc.option(fc.integer({ min: -2, max: 120 }), { freq: 3 });
const until = fc.option(fc.integer({ min: -1, max: 40 }), { freq: 3 });
const signSpec: fc.Arbitrary<SignSpec> = fc.record({
  type: fc.constantFrom<PrimaryType>("Grant", "Grant", "Revoke", "RevokeAll", "SetDelegate"),
  s,
  signer: fc.constantFrom<Signer>("subject", "subject", "delegate"),
  c,
  p,
  cats,
  exp,
  until,
});
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("grant" as const), s, c, p, cats, exp, via }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("revoke" as const), s, c, p, via }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("revokeAll" as const), s, c, via }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delegate" as const), s, until, bySig: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("multicall" as const), s, c, p, grantFirst: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("useNonce" as const), s, lane: fc.constantFrom<Lane>("actions", "delegates") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("sign" as const), spec: signSpec }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("submit" as const), k: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("tryMulticall" as const),
      items: fc.array(fc.oneof({ weight: 3, arbitrary: fc.record({ fresh: signSpec }) }, { weight: 1, arbitrary: fc.record({ pending: fc.nat() }) }), { minLength: 1, maxLength: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 90 })) }) },
);

describe("ConsentLedger property: contract and model agree", () => {
  it(`after every step of random action sequences (${RUNS} x ${STEPS_PER_RUN} operations)`, async function () {
    this.timeout(600_000);
    const f: Fixture = await fixture();
    const i: Interface = f.ledger.interface;
    const ledger = f.domain.verifyingContract;
    noticeOf = f.notice;
    const subjects: HardhatEthersSigner[] = [f.subject, f.stranger];
    const subjectSign: SignFn[] = [ethersSign(f.subject), viemSign(IDX.stranger)];
    const delegateSign = viemSign(IDX.delegate);
    const controllers = [f.controller.address, f.controller2.address];
    const purposes = [PURPOSE.loyalty, PURPOSE.recognition];
    const D = f.delegate.address;
    const eventByTopic = new Map<string, EventFragment>();
    i.forEachEvent((e) => eventByTopic.set(e.topicHash, e));
    const historyEvents = consentLedgerAbi.filter((x) => x.type === "event" && ["ConsentGranted", "ConsentRevoked", "AllConsentsRevoked"].includes(x.name));
    const stats = { operations: 0, transactions: 0, reverted: 0, batchCalls: 0, batchFailures: 0, staleSubmissions: 0 };

    /** The calldata, message and signature of a signed action, signed now with the nonce given. */
    async function makeSigned(spec: SignSpec, nonce: bigint, now: number): Promise<Signed> {
      const subject = subjects[spec.s].address;
      const deadline = now + 600;
      const ctrl = controllers[spec.c];
      const purpose = purposes[spec.p];
      const base = { subject, nonce, deadline: BigInt(deadline) };
      let message: Message;
      let args: unknown[];
      if (spec.type === "Grant") {
        const expiresAt = spec.exp === null ? 0 : now + spec.exp;
        message = { ...base, controller: ctrl, purpose, categories: spec.cats, expiresAt, noticeHash: f.notice(ctrl, purpose) };
        args = [subject, ctrl, purpose, spec.cats, expiresAt, f.notice(ctrl, purpose), deadline];
      } else if (spec.type === "Revoke") {
        message = { ...base, controller: ctrl, purpose };
        args = [subject, ctrl, purpose, deadline];
      } else if (spec.type === "RevokeAll") {
        message = { ...base, controller: ctrl };
        args = [subject, ctrl, deadline];
      } else {
        const u = spec.until === null ? 0 : now + spec.until;
        message = { ...base, delegate: D, until: u };
        args = [subject, D, u, deadline];
      }
      const sign = spec.signer === "delegate" ? delegateSign : subjectSign[spec.s];
      const signature = await sign(f.domain, spec.type, message);
      const fn = { Grant: "grantBySig", Revoke: "revokeBySig", RevokeAll: "revokeAllBySig", SetDelegate: "setDelegateBySig" }[spec.type];
      return { type: spec.type, s: spec.s, signer: spec.signer, message, nonce, deadline, signature, data: i.encodeFunctionData(fn as "grantBySig", [...args, signature] as never) };
    }

    /** Runs a signed action on the model as `_authorize` and the action would; null when it succeeds. */
    function applySigned(m: Model, sd: Signed, now: number): Err | null {
      const subject = subjects[sd.s].address;
      if (now > sd.deadline) return ["ExpiredSignature", BigInt(sd.deadline)];
      const lane: Lane = sd.type === "SetDelegate" ? "delegates" : "actions";
      const cur = m.nonce(sd.s, lane);
      const accepted = (nonce: bigint) =>
        sd.nonce === nonce && (sd.signer === "subject" || (lane === "actions" && m.delegateLive(sd.s, now)));
      if (!accepted(cur)) {
        const until = m.delegates.get(sd.s) ?? 0;
        if (sd.nonce === cur && sd.signer === "delegate" && lane === "actions" && until !== 0) return ["DelegateExpired", subject, D, BigInt(until)];
        if (cur !== 0n && accepted(cur - 1n)) return ["NonceAlreadyUsed", subject, cur - 1n];
        if (accepted(cur + 1n)) return ["NonceNotYetValid", subject, cur + 1n];
        const digest = ethers.TypedDataEncoder.hash(f.domain, { [sd.type]: [...TYPES[sd.type]] }, { ...sd.message, nonce: cur });
        return ["InvalidSigner", subject, ethers.recoverAddress(digest, sd.signature)];
      }
      const actor = sd.signer === "delegate" ? D : subject;
      const msg = sd.message;
      const ci = controllers.indexOf(msg.controller as string);
      const pi = purposes.indexOf(msg.purpose as string);
      const before = m.clone();
      m.useNonce(sd.s, lane);
      let err: Err | null;
      if (sd.type === "Grant") err = m.grant(sd.s, ci, pi, BigInt(msg.categories), Number(msg.expiresAt), actor, now);
      else if (sd.type === "Revoke") err = m.revoke(sd.s, ci, pi, actor, now);
      else if (sd.type === "RevokeAll") err = m.revokeAll(sd.s, ci, actor, now);
      else err = m.setDelegate(sd.s, Number(msg.until), now);
      if (err) Object.assign(m, before);
      return err;
    }

    /**
     * Sends one transaction (straight to the node, which signs it and mines it at once) and checks it against the
     * model's prediction: its exact revert data, or its exact list of events.
     */
    async function send(m: Model, from: HardhatEthersSigner, data: string, expected: Err | null, now: number): Promise<void> {
      stats.transactions++;
      // no gas field: the network's configured gas applies, without an estimation round trip
      const tx = { from: from.address, to: ledger, data };
      if (expected) {
        stats.reverted++;
        const [name, ...args] = expected;
        let reverted: { data?: string } | undefined;
        try {
          await network.provider.send("eth_sendTransaction", [tx]);
        } catch (e) {
          reverted = e as { data?: string };
        }
        const want = i.encodeErrorResult(name, args);
        if (reverted?.data !== want) expect(reverted?.data, `reverts with ${name}`).to.equal(want);
        return;
      }
      const hash = await network.provider.send("eth_sendTransaction", [tx]);
      const receipt = (await network.provider.send("eth_getTransactionReceipt", [hash])) as { status: string; logs: RpcLog[] };
      expect(receipt.status).to.equal("0x1");
      const got = receipt.logs.map((l) => {
        const e = eventByTopic.get(l.topics[0])!;
        return [e.name, ...i.decodeEventLog(e, l.data, l.topics).toArray()];
      });
      same(got, m.events);
      // the history chain, recomputed from the logs alone, step by step
      const logs = receipt.logs.map((l) => ({ ...l, blockNumber: BigInt(l.blockNumber), logIndex: Number(l.logIndex) })) as unknown as Log[];
      const history = parseEventLogs({ abi: historyEvents, logs });
      for (const r of recordsFromLogs(history as never, new Map([[history[0]?.blockNumber ?? 0n, BigInt(now)]]))) {
        const ci = controllers.indexOf(ethers.getAddress(r.controller));
        const prev = fromLogs[ci];
        fromLogs[ci] = { head: nextHead(prev.head, r), length: prev.length + 1n };
      }
    }
    let fromLogs: { head: Hex; length: bigint }[];

    /**
     * One eth_call (the ledger's own multicall of its views, encoded once), compared with the model. Every view
     * returns static values, so each result is compared word by word (an address or a bool is a word too).
     */
    const views: string[] = [];
    const view = (name: string, args: unknown[]) => views.push(i.encodeFunctionData(name, args));
    for (const sj of subjects) {
      view("nonces", [sj.address]);
      view("delegateNonces", [sj.address]);
      view("delegateUntil", [sj.address, D]);
      for (const ct of controllers) for (const pu of purposes) {
        view("consentOf", [sj.address, ct, pu]);
        view("isGranted", [sj.address, ct, pu]);
      }
    }
    for (const ct of controllers) view("historyHead", [ct]);
    const checkCall = { to: ledger, data: i.encodeFunctionData("multicall", [views]) };
    const words = (hex: string) => Array.from({ length: (hex.length - 2) / 64 }, (_, k) => BigInt("0x" + hex.slice(2 + 64 * k, 66 + 64 * k)));
    async function check(m: Model, now: number): Promise<void> {
      const want: bigint[][] = [];
      const bit = (b: boolean) => (b ? 1n : 0n);
      for (let si = 0; si < 2; si++) {
        want.push([m.nonce(si, "actions")], [m.nonce(si, "delegates")], [BigInt(m.delegates.get(si) ?? 0)]);
        for (let ci = 0; ci < 2; ci++) for (let pi = 0; pi < 2; pi++) {
          const [grantedAt, expiresAt, revokedAt, categories, active] = m.consentOf(si, ci, pi, now);
          want.push([grantedAt, expiresAt, revokedAt, categories, bit(active)], [bit(active)]);
        }
      }
      for (let ci = 0; ci < 2; ci++) {
        const h = m.history(ci);
        same(fromLogs[ci], h);
        want.push([BigInt(h.head), h.length]);
      }
      // bytes[] of static results: [offset, n, n offsets, then each result as its length and its words]
      const w = words(await network.provider.send("eth_call", [checkCall, "latest"]));
      const got = want.map((_, k) => {
        const at = Number(w[2 + k]) / 32 + 2;
        return w.slice(at + 1, at + 1 + Number(w[at]) / 32);
      });
      same(got, want);
    }

    async function step(m: Model, cm: Exclude<Cmd, { kind: "wait" }>, pending: Signed[], now: number): Promise<void> {
      m.events = [];
      const relayer = f.relayer;
      if (cm.kind === "grant" || cm.kind === "revoke" || cm.kind === "revokeAll") {
        if (cm.via === "direct") {
          const subject = subjects[cm.s];
          const before = m.clone();
          let err: Err | null;
          let data: string;
          if (cm.kind === "grant") {
            const e = cm.exp === null ? 0 : now + cm.exp;
            data = i.encodeFunctionData("grant", [controllers[cm.c], purposes[cm.p], cm.cats, e, f.notice(controllers[cm.c], purposes[cm.p])]);
            err = m.grant(cm.s, cm.c, cm.p, cm.cats, e, subject.address, now);
          } else if (cm.kind === "revoke") {
            data = i.encodeFunctionData("revoke", [controllers[cm.c], purposes[cm.p]]);
            err = m.revoke(cm.s, cm.c, cm.p, subject.address, now);
          } else {
            data = i.encodeFunctionData("revokeAll", [controllers[cm.c]]);
            err = m.revokeAll(cm.s, cm.c, subject.address, now);
          }
          if (err) Object.assign(m, before);
          else if (cm.kind !== "grant") m.nonceUsed(cm.s, "actions");
          return send(m, subject, data, err, now);
        }
        const spec: SignSpec = { type: cm.kind === "grant" ? "Grant" : cm.kind === "revoke" ? "Revoke" : "RevokeAll", s: cm.s, signer: cm.via === "delegate-sig" ? "delegate" : "subject", c: cm.c, p: cm.kind === "revokeAll" ? 0 : cm.p, cats: cm.kind === "grant" ? cm.cats : 1n, exp: cm.kind === "grant" ? cm.exp : null, until: null };
        const sd = await makeSigned(spec, m.nonce(cm.s, "actions"), now);
        return send(m, relayer, sd.data, applySigned(m, sd, now), now);
      }
      if (cm.kind === "delegate") {
        const u = cm.until === null ? 0 : now + cm.until;
        if (cm.bySig) {
          const sd = await makeSigned({ type: "SetDelegate", s: cm.s, signer: "subject", c: 0, p: 0, cats: 0n, exp: null, until: cm.until }, m.nonce(cm.s, "delegates"), now);
          return send(m, relayer, sd.data, applySigned(m, sd, now), now);
        }
        const err = m.setDelegate(cm.s, u, now);
        if (!err) m.nonceUsed(cm.s, "delegates");
        return send(m, subjects[cm.s], i.encodeFunctionData("setDelegate", [D, u]), err, now);
      }
      if (cm.kind === "multicall") {
        const subject = subjects[cm.s];
        const ctrl = controllers[cm.c];
        const g = i.encodeFunctionData("grant", [ctrl, purposes[cm.p], CATEGORY.contact, 0, f.notice(ctrl, purposes[cm.p])]);
        const r = i.encodeFunctionData("revokeAll", [ctrl]);
        const before = m.clone();
        let err: Err | null = null;
        for (const part of cm.grantFirst ? ["grant", "revokeAll"] : ["revokeAll", "grant"]) {
          if (err) break;
          if (part === "grant") err = m.grant(cm.s, cm.c, cm.p, CATEGORY.contact, 0, subject.address, now);
          else if (!(err = m.revokeAll(cm.s, cm.c, subject.address, now))) m.nonceUsed(cm.s, "actions");
        }
        if (err) Object.assign(m, before);
        return send(m, subject, i.encodeFunctionData("multicall", [cm.grantFirst ? [g, r] : [r, g]]), err, now);
      }
      if (cm.kind === "useNonce") {
        m.nonceUsed(cm.s, cm.lane);
        return send(m, subjects[cm.s], i.encodeFunctionData(cm.lane === "actions" ? "useNonce" : "useDelegateNonce"), null, now);
      }
      if (cm.kind === "sign") {
        const lane: Lane = cm.spec.type === "SetDelegate" ? "delegates" : "actions";
        pending.push(await makeSigned(cm.spec, m.nonce(cm.spec.s, lane), now));
        if (pending.length > 6) pending.shift();
        await network.provider.send("evm_mine", []);
        return;
      }
      if (cm.kind === "submit") {
        if (pending.length === 0) {
          await network.provider.send("evm_mine", []);
          return;
        }
        const sd = pending[cm.k % pending.length];
        stats.staleSubmissions++;
        return send(m, relayer, sd.data, applySigned(m, sd, now), now);
      }
      if (cm.kind === "tryMulticall") {
        // as a relay builds a batch: fresh signatures take the next nonces of their lane, in batch order
        const planned = new Map<string, bigint>();
        const calls: Signed[] = [];
        for (const item of cm.items) {
          if ("pending" in item) {
            if (pending.length > 0) calls.push(pending[item.pending % pending.length]);
            continue;
          }
          const lane: Lane = item.fresh.type === "SetDelegate" ? "delegates" : "actions";
          const key = `${item.fresh.s}:${lane}`;
          const nonce = planned.get(key) ?? m.nonce(item.fresh.s, lane);
          planned.set(key, nonce + 1n);
          calls.push(await makeSigned(item.fresh, nonce, now));
        }
        calls.forEach((sd, k) => {
          stats.batchCalls++;
          const err = applySigned(m, sd, now);
          if (err) {
            stats.batchFailures++;
            m.events.push(["BatchCallFailed", BigInt(k), i.encodeErrorResult(err[0], err.slice(1))]);
          }
        });
        return send(m, relayer, i.encodeFunctionData("tryMulticall", [calls.map((sd) => sd.data)]), null, now);
      }
    }

    const runStart = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: STEPS_PER_RUN, maxLength: STEPS_PER_RUN }), async (cmds) => {
        const snapshot = await network.provider.send("evm_snapshot");
        try {
          const m = new Model(subjects.map((x) => x.address), controllers, purposes, D);
          const pending: Signed[] = [];
          fromLogs = [m.history(0), m.history(1)];
          let clock = (await ethers.provider.getBlock("latest"))!.timestamp;
          for (const cm of cmds) {
            // every operation mines one block, at `clock`
            if (cm.kind === "wait") {
              clock += cm.seconds;
              await network.provider.send("evm_mine", [clock]);
            } else {
              clock += 1;
              await network.provider.send("evm_setNextBlockTimestamp", [clock]);
              await step(m, cm, pending, clock);
            }
            stats.operations++;
            await check(m, clock);
          }
        } finally {
          await network.provider.send("evm_revert", [snapshot]);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 20261125), endOnFailure: false },
    );
    const seconds = ((Date.now() - runStart) / 1000).toFixed(1);
    console.log(`      ${stats.operations} operations (${stats.transactions} transactions, ${stats.reverted} refused; ${stats.batchCalls} calls in tryMulticall, ${stats.batchFailures} of them failed; ${stats.staleSubmissions} signatures submitted later) in ${seconds} s`);
    // every kind of step happened, and CI ran the full count
    expect(stats.batchFailures).to.be.greaterThan(0);
    expect(stats.staleSubmissions).to.be.greaterThan(0);
    if (IN_CI && !COVERAGE && process.env.FC_RUNS === undefined) expect(stats.operations).to.be.at.least(CI_MIN_OPERATIONS);
  });
});
