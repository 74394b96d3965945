import { expect } from "chai";
import fc from "fast-check";
import type { PointsKind, PointsRow } from "../../server/indexer/decode";
import { recomputeBrandBalances, recomputeCustomerBalances, rewindTo, storeRange } from "../../server/indexer/store";
import type { Queryable } from "../../server/store/db";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";

const UNIT = 1_000n;
const CUSTOMERS = ["0xc1", "0xc2", "0xc3"];
const BRANDS = ["0xb1", "0xb2"];

/** An event of each kind the balances count, with the columns the decoder fills for it (transfer: no brand). */
const event = fc.oneof(
  fc.record({ kind: fc.constantFrom<PointsKind>("issued", "reversed", "redeemed", "expired"), brand: fc.constantFrom(...BRANDS), customer: fc.constantFrom(...CUSTOMERS), counterparty: fc.constant(null) }),
  fc.record({ kind: fc.constantFrom<PointsKind>("deposited", "withdrawn"), brand: fc.constantFrom(...BRANDS), customer: fc.constant(null), counterparty: fc.constant(null) }),
  fc.record({ kind: fc.constant<PointsKind>("transfer"), brand: fc.constant(null), customer: fc.constantFrom(...CUSTOMERS), counterparty: fc.constantFrom(...CUSTOMERS) }),
  fc.record({ kind: fc.constant<PointsKind>("brand_admitted"), brand: fc.constantFrom(...BRANDS), customer: fc.constant(null), counterparty: fc.constant(null) }),
);
/** A range of blocks (each with a few events), or a rewind of the last `blocks` blocks (a reorganisation). */
const step = fc.oneof(
  fc.record({ op: fc.constant("range" as const), blocks: fc.array(fc.array(fc.record({ e: event, amount: fc.bigInt({ min: 1n, max: 10n ** 24n }) }), { maxLength: 4 }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant("rewind" as const), blocks: fc.integer({ min: 1, max: 4 }) }),
);

async function snapshot(db: Queryable) {
  const customers = await db.query("SELECT customer, balance, lifetime_earned, last_activity FROM points_balances ORDER BY customer");
  const brands = await db.query("SELECT brand, balance, deposited, withdrawn, points_issued, points_reversed, points_redeemed FROM brand_balances ORDER BY brand");
  return { customers: customers.rows, brands: brands.rows };
}

for (const kind of testDbKinds()) {
  describe(`indexer balances (${kind})`, function () {
    this.timeout(300_000);

    let t: TestDb;
    before(async () => {
      t = await openTestDb(kind);
    });
    after(async () => {
      await t?.drop();
    });

    it("adds each stored range's changes to the customers' and brands' balances, equal to summing every event again, across rewinds", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
          // Each sequence from an empty index: a rewind to before the first block removes every event and balance.
          await t.db.transaction((tx) => rewindTo(tx, null, UNIT));
          expect(await snapshot(t.db)).to.deep.equal({ customers: [], brands: [] });
          let head = 0;
          let logs = 0;
          for (const s of steps) {
            if (s.op === "rewind") {
              head = Math.max(0, head - s.blocks);
              await t.db.transaction((tx) => rewindTo(tx, head === 0 ? null : { blockNumber: head, blockHash: `0xh${head}` }, UNIT));
            } else {
              const points: PointsRow[] = s.blocks.flatMap((events, i) =>
                events.map(({ e, amount }) => ({
                  ...e,
                  amount: amount.toString(),
                  ref: null,
                  blockNumber: head + 1 + i,
                  blockHash: `0xh${head + 1 + i}`,
                  logIndex: logs++,
                  txHash: `0xt${logs}`,
                  timestamp: 1_000 * (head + 1 + i),
                })),
              );
              head += s.blocks.length;
              await t.db.transaction((tx) =>
                storeRange(tx, { history: [], delegates: [], notices: [], points }, [], { blockNumber: head, blockHash: `0xh${head}` }, { unitValue: UNIT, keepBlocksFrom: 0 }),
              );
            }
            // What was added up must be what summing every stored event gives.
            const added = await snapshot(t.db);
            await t.db.transaction(async (tx) => {
              await recomputeCustomerBalances(tx, CUSTOMERS);
              await recomputeBrandBalances(tx, BRANDS, UNIT);
            });
            expect(added).to.deep.equal(await snapshot(t.db));
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
