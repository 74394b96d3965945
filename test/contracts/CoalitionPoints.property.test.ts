import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { DEPOSIT, UNIT, id, pointsFixture, signRedeemEthers } from "./helpers/points";

/**
 * Model-based property test: random sequences of every operation (issuance, batches, reversals, redemptions
 * direct and signed, transfers, expiry, deposits, withdrawals, brand admission and suspension, operators,
 * governance switches, pauses and time jumps) run against the contract and a TypeScript model. Each step must
 * succeed exactly when the model says it may, and after every step the backing invariants hold and the chain
 * agrees with the model.
 */

type Op =
  | { kind: "issue"; caller: number; brand: number; customer: number; points: bigint; receipt: number }
  | { kind: "issueBatch"; caller: number; brand: number; entries: { customer: number; points: bigint; receipt: number }[] }
  | { kind: "reverse"; caller: number; receipt: number; customer: number; points: bigint }
  | { kind: "redeem"; customer: number; brand: number; points: bigint; bySig: boolean }
  | { kind: "transfer"; from: number; to: number; points: bigint }
  | { kind: "expire"; customer: number }
  | { kind: "deposit"; brand: number; amount: bigint }
  | { kind: "withdraw"; brand: number; amount: bigint }
  | { kind: "admit"; brand: number }
  | { kind: "suspend"; brand: number }
  | { kind: "setOperator"; brand: number; operator: number; allowed: boolean }
  | { kind: "setTransfers"; enabled: boolean }
  | { kind: "setExpiry"; period: bigint }
  | { kind: "pause" }
  | { kind: "unpause" }
  | { kind: "wait"; seconds: number };

const BRANDS = 3; // fixture brands A, B (admitted) and C (suspended)
const OPERATORS = 3; // opA (of A), opB (of B), and one not set
const CUSTOMERS = 3;
const RECEIPTS = 10; // small id space, so receipts get reused and reversed often

const pointsArb = fc.oneof(fc.bigInt({ min: 0n, max: 3n }), fc.bigInt({ min: 1n, max: 3_000n }));
// Who calls a brand action: mostly the brand itself or its operator (so that most actions can succeed), sometimes
// anyone of the brands, operators and a customer (resolved by `pickCaller`).
const caller = fc.nat({ max: 9 });
const brand = fc.nat({ max: BRANDS - 1 });
const customer = fc.nat({ max: CUSTOMERS - 1 });
const receipt = fc.nat({ max: RECEIPTS - 1 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("issue" as const), caller, brand, customer, points: pointsArb, receipt }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("issueBatch" as const),
      caller,
      brand,
      entries: fc.array(fc.record({ customer, points: pointsArb, receipt }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("reverse" as const), caller, receipt, customer, points: pointsArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("redeem" as const), customer, brand, points: pointsArb, bySig: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: customer, to: customer, points: pointsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("expire" as const), customer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deposit" as const), brand, amount: fc.bigInt({ min: 0n, max: 50_000_000n }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), brand, amount: fc.bigInt({ min: 0n, max: 1_200_000_000n }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("admit" as const), brand }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("suspend" as const), brand }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setOperator" as const),
      brand,
      operator: fc.nat({ max: OPERATORS - 1 }),
      allowed: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("setTransfers" as const), enabled: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("setExpiry" as const), period: fc.constantFrom(0n, 60n, 600n) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "pause" as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: "unpause" as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 700 }) }) },
);

interface Account {
  balance: bigint;
  last: bigint;
  lifetime: bigint;
  nonce: bigint;
}

class Model {
  paused = false;
  transfers = false;
  period = 0n;
  supply = 0n;
  status = new Map<string, number>();
  brandBalance = new Map<string, bigint>();
  operatorBrand = new Map<string, string>();
  accounts = new Map<string, Account>();
  receipts = new Map<string, { brand: string; customer: string; remaining: bigint }>();

  account(a: string): Account {
    let acc = this.accounts.get(a);
    if (!acc) this.accounts.set(a, (acc = { balance: 0n, last: 0n, lifetime: 0n, nonce: 0n }));
    return acc;
  }
  isIssuer(caller: string, brand: string): boolean {
    return (caller === brand || this.operatorBrand.get(caller) === brand) && this.status.get(brand) === 1;
  }
  actingBrand(caller: string): string | undefined {
    if ((this.status.get(caller) ?? 0) !== 0) return caller;
    return this.operatorBrand.get(caller);
  }
}

async function setup() {
  const f = await pointsFixture();
  const brands = [f.brandA, f.brandB, f.brandC];
  const operators = [f.opA, f.opB, f.removedOp];
  const customers = [f.customer, f.customer2, f.all[11]];
  const m = new Model();
  m.status.set(f.brandA.address, 1);
  m.status.set(f.brandB.address, 1);
  m.status.set(f.brandC.address, 2);
  for (const b of brands) m.brandBalance.set(b.address, DEPOSIT);
  m.operatorBrand.set(f.opA.address, f.brandA.address);
  m.operatorBrand.set(f.opB.address, f.brandB.address);
  return { ...f, brands, operators, customers, model: m };
}

describe("CoalitionPoints properties", () => {
  it("random operation sequences keep the reserve fully backed and match the model", async function () {
    this.timeout(180_000);
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.constantFrom(0n, 60n, 600n),
        fc.array(opArb, { minLength: 15, maxLength: 40 }),
        async (transfers, period, sequence) => {
        const ops: Op[] = [
          { kind: "setTransfers", enabled: transfers },
          { kind: "setExpiry", period },
          ...sequence,
        ];
        const f = await loadFixture(setup);
        const m = f.model;
        // fresh copy of the model (the fixture's object is shared between runs)
        const model = Object.assign(new Model(), {
          status: new Map(m.status),
          brandBalance: new Map(m.brandBalance),
          operatorBrand: new Map(m.operatorBrand),
        });
        const { points, usd, pointsAddr } = f;
        const anyone = [...f.brands, ...f.operators, f.customers[0]];
        /** sel 0-5: the brand itself; 6-7: its original operator (opA, opB, or the unset one); 8-9: anyone. */
        /** Amounts 0-3 are kept (edge cases); larger ones are folded into [1, cap] so that most can succeed. */
        const within = (points: bigint, cap: bigint) => (points <= 3n || cap === 0n ? points : 1n + (points % cap));
        const pickCaller = (sel: number, brandIdx: number) =>
          sel < 6 ? f.brands[brandIdx] : sel < 8 ? f.operators[brandIdx] : anyone[(sel * 7 + brandIdx) % anyone.length];
        let t = BigInt(await time.latest());

        for (const op of ops) {
          if (op.kind === "wait") {
            t += BigInt(op.seconds);
            continue;
          }
          t += 1n;
          await time.setNextBlockTimestamp(t);
          let expectOk = !model.paused;
          let send: () => Promise<ContractTransactionResponse>;
          let apply: () => void = () => undefined;

          switch (op.kind) {
            case "issue": {
              const c = pickCaller(op.caller, op.brand);
              const b = f.brands[op.brand].address;
              const cu = f.customers[op.customer].address;
              const rid = id(`r${op.receipt}`);
              const cost = op.points * UNIT;
              expectOk &&=
                model.isIssuer(c.address, b) &&
                op.points > 0n &&
                !model.receipts.has(rid) &&
                cost <= model.brandBalance.get(b)!;
              send = () => points.connect(c).issue(b, cu, op.points, rid);
              apply = () => {
                model.brandBalance.set(b, model.brandBalance.get(b)! - cost);
                model.supply += op.points;
                const acc = model.account(cu);
                acc.balance += op.points;
                acc.lifetime += op.points;
                acc.last = t;
                model.receipts.set(rid, { brand: b, customer: cu, remaining: op.points });
              };
              break;
            }
            case "issueBatch": {
              const c = pickCaller(op.caller, op.brand);
              const b = f.brands[op.brand].address;
              const ids = op.entries.map((e) => id(`r${e.receipt}`));
              const total = op.entries.reduce((s, e) => s + e.points, 0n);
              expectOk &&=
                model.isIssuer(c.address, b) &&
                op.entries.every((e) => e.points > 0n) &&
                ids.every((r, i) => !model.receipts.has(r) && ids.indexOf(r) === i) &&
                total * UNIT <= model.brandBalance.get(b)!;
              send = () =>
                points.connect(c).issueBatch(
                  b,
                  op.entries.map((e) => f.customers[e.customer].address),
                  op.entries.map((e) => e.points),
                  ids,
                );
              apply = () => {
                model.brandBalance.set(b, model.brandBalance.get(b)! - total * UNIT);
                model.supply += total;
                op.entries.forEach((e, i) => {
                  const cu = f.customers[e.customer].address;
                  const acc = model.account(cu);
                  acc.balance += e.points;
                  acc.lifetime += e.points;
                  acc.last = t;
                  model.receipts.set(ids[i], { brand: b, customer: cu, remaining: e.points });
                });
              };
              break;
            }
            case "reverse": {
              // mostly a receipt that exists
              const known = [...model.receipts.keys()];
              const rid = known.length > 0 && op.receipt < 8 ? known[op.receipt % known.length] : id(`r${op.receipt}`);
              const r = model.receipts.get(rid);
              // mostly the receipt's own brand (or its operator) and customer, so that reversals can succeed
              const brandIdx = r ? f.brands.findIndex((b) => b.address === r.brand) : op.customer;
              const c = pickCaller(op.caller, brandIdx);
              const cu = r && op.customer < 2 ? r.customer : f.customers[op.customer].address;
              const acting = model.actingBrand(c.address);
              const pts = within(op.points, r?.remaining ?? 0n);
              expectOk &&=
                acting !== undefined &&
                pts > 0n &&
                r !== undefined &&
                r.brand === acting &&
                r.customer === cu &&
                pts <= r.remaining &&
                pts <= model.account(cu).balance;
              send = () => points.connect(c).reverse(rid, cu, pts);
              apply = () => {
                r!.remaining -= pts;
                const acc = model.account(cu);
                acc.balance -= pts;
                acc.lifetime -= pts;
                model.supply -= pts;
                model.brandBalance.set(acting!, model.brandBalance.get(acting!)! + pts * UNIT);
              };
              break;
            }
            case "redeem": {
              const cu = f.customers[op.customer];
              const b = f.brands[op.brand].address;
              const acc = model.account(cu.address);
              const pts = within(op.points, acc.balance);
              expectOk &&= pts > 0n && model.status.get(b) === 1 && pts <= acc.balance;
              const orderRef = id(`order-${t}`);
              if (op.bySig) {
                const deadline = t + 100n;
                const msg = { customer: cu.address, brand: b, points: pts, orderRef, nonce: acc.nonce, deadline };
                const sig = await signRedeemEthers(points, cu, msg);
                send = () => points.connect(f.stranger).redeemBySig(cu.address, b, pts, orderRef, deadline, sig);
              } else {
                send = () => points.connect(cu).redeem(b, pts, orderRef);
              }
              apply = () => {
                acc.balance -= pts;
                acc.last = t;
                if (op.bySig) acc.nonce += 1n;
                model.supply -= pts;
                model.brandBalance.set(b, model.brandBalance.get(b)! + pts * UNIT);
              };
              break;
            }
            case "transfer": {
              const from = f.customers[op.from];
              const to = f.customers[op.to].address;
              const pts = within(op.points, model.account(from.address).balance);
              expectOk &&= model.transfers && pts <= model.account(from.address).balance;
              send = () => points.connect(from).transfer(to, pts);
              apply = () => {
                model.account(from.address).balance -= pts;
                const dst = model.account(to);
                dst.balance += pts;
                dst.last = t;
              };
              break;
            }
            case "expire": {
              const cu = f.customers[op.customer].address;
              const acc = model.account(cu);
              expectOk &&= model.period > 0n && acc.balance > 0n && t > acc.last + model.period;
              send = () => points.connect(f.stranger).expire(cu);
              apply = () => {
                model.supply -= acc.balance;
                acc.balance = 0n;
              };
              break;
            }
            case "deposit": {
              const b = f.brands[op.brand];
              expectOk &&= op.amount > 0n && model.status.get(b.address) === 1;
              send = () => points.connect(b).deposit(op.amount);
              apply = () => model.brandBalance.set(b.address, model.brandBalance.get(b.address)! + op.amount);
              break;
            }
            case "withdraw": {
              const b = f.brands[op.brand];
              expectOk &&= op.amount > 0n && op.amount <= model.brandBalance.get(b.address)!;
              send = () => points.connect(b).withdraw(op.amount, b.address);
              apply = () => model.brandBalance.set(b.address, model.brandBalance.get(b.address)! - op.amount);
              break;
            }
            case "admit": {
              const b = f.brands[op.brand].address;
              expectOk = model.status.get(b) !== 1;
              send = () => points.admitBrand(b);
              apply = () => model.status.set(b, 1);
              break;
            }
            case "suspend": {
              const b = f.brands[op.brand].address;
              expectOk = model.status.get(b) === 1;
              send = () => points.suspendBrand(b);
              apply = () => model.status.set(b, 2);
              break;
            }
            case "setOperator": {
              const b = f.brands[op.brand];
              const o = f.operators[op.operator].address;
              const current = model.operatorBrand.get(o);
              expectOk = (current === undefined || current === b.address) && (op.allowed || current !== undefined);
              send = () => points.connect(b).setOperator(o, op.allowed);
              apply = () => (op.allowed ? model.operatorBrand.set(o, b.address) : model.operatorBrand.delete(o));
              break;
            }
            case "setTransfers":
              expectOk = true;
              send = () => points.setTransfersEnabled(op.enabled);
              apply = () => (model.transfers = op.enabled);
              break;
            case "setExpiry":
              expectOk = true;
              send = () => points.setExpiryPeriod(op.period);
              apply = () => (model.period = op.period);
              break;
            case "pause":
              expectOk = !model.paused;
              send = () => points.pause();
              apply = () => (model.paused = true);
              break;
            case "unpause":
              expectOk = model.paused;
              send = () => points.unpause();
              apply = () => (model.paused = false);
              break;
          }

          if (expectOk) {
            const receipt = await (await send()).wait();
            expect(receipt?.status, JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).to.equal(1);
            apply();
          } else {
            await expect(send(), JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).to.be
              .reverted;
          }

          // invariants
          const [held, reserve, supply] = await Promise.all([
            usd.balanceOf(pointsAddr),
            points.reserve(),
            points.totalSupply(),
          ]);
          const brandBalances = await Promise.all(f.brands.map((b) => points.brandBalance(b.address)));
          expect(held).to.equal(reserve + brandBalances.reduce((s, x) => s + x, 0n));
          expect(reserve).to.equal(supply * UNIT);
          expect(supply).to.equal(model.supply);
          f.brands.forEach((b, i) => expect(brandBalances[i]).to.equal(model.brandBalance.get(b.address)));
        }

        // full agreement with the model at the end of the sequence
        for (const c of f.customers) {
          const acc = model.account(c.address);
          expect(await points.balanceOf(c.address)).to.equal(acc.balance);
          expect(await points.lastActivity(c.address)).to.equal(acc.last);
          expect(await points.lifetimeEarned(c.address)).to.equal(acc.lifetime);
          expect(await points.nonces(c.address)).to.equal(acc.nonce);
        }
        for (const [rid, r] of model.receipts) expect((await points.receiptOf(rid)).remaining).to.equal(r.remaining);
        for (const b of f.brands) expect(await points.brandStatus(b.address)).to.equal(BigInt(model.status.get(b.address)!));
        for (const o of f.operators) {
          expect(await points.operatorBrand(o.address)).to.equal(model.operatorBrand.get(o.address) ?? hre.ethers.ZeroAddress);
        }
        expect(await points.paused()).to.equal(model.paused);
        const sumBalances = [...model.accounts.values()].reduce((s, a) => s + a.balance, 0n);
        expect(sumBalances).to.equal(model.supply);
        },
      ),
      { numRuns: 40 },
    );
  });
});
