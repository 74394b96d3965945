import { expect } from "chai";
import type { Address, Hex } from "viem";
import { consentGrantedSql, isConsentGranted } from "../../server/consent/gate";
import type { Queryable } from "../../server/store/db";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";

const customer = "0x00000000000000000000000000000000000000c1" as Address;
const brand = "0x00000000000000000000000000000000000000b1" as Address;
const purpose = `0x${"11".repeat(32)}` as Hex;
const otherPurpose = `0x${"22".repeat(32)}` as Hex;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** Every plan node of `sql` that read the table `operations`, as EXPLAIN ANALYZE ran it. */
async function operationsReads(db: Queryable, sql: string, params: unknown[]): Promise<PlanNode[]> {
  const { rows } = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  const raw = rows[0]!["QUERY PLAN"];
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return nodesOf(plan[0]!.Plan).filter((n) => n["Relation Name"] === "operations");
}

/** Rows a plan node looked at: those it returned and those its filter dropped, over all its loops. */
const rowsVisited = (n: PlanNode) =>
  ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0) + (n["Rows Removed by Index Recheck"] ?? 0)) * (n["Actual Loops"] ?? 1);

async function addIssues(db: Queryable, count: number, status: "queued" | "confirmed") {
  await db.query(
    `INSERT INTO operations (kind, contract, function_name, args, subject, controller, status, block_number)
     SELECT 'issue', 'points', 'issueBatch', '[]', $1, $2, $3, CASE WHEN $3 = 'confirmed' THEN 1 END FROM generate_series(1, $4)`,
    [customer, brand, status, count],
  );
}

describe("consent gate: its cost does not grow with a customer's purchases", () => {
  for (const kind of testDbKinds()) {
    describe(kind, () => {
      let t: TestDb;
      before(async () => {
        t = await openTestDb(kind);
        await t.db.query(
          `INSERT INTO consents (subject, controller, purpose, categories, granted_at, expires_at, revoked_at, notice_hash, actor, granted_seq, revoked_seq, block_number)
           VALUES ($1, $2, $3, '[]', 1, 0, 0, '0x', $1, 1, 0, 1)`,
          [customer, brand, purpose],
        );
        // The customer's history at the brand: 600 issues settled and 200 waiting for the chain (one per purchase).
        await addIssues(t.db, 600, "confirmed");
        await addIssues(t.db, 200, "queued");
        // No ANALYZE: the statistics of a table that grew since the last one, as under load (the planner then used
        // only the subject and controller of the old index and filtered the customer's every issue).
      });
      after(() => t.drop());

      // The gate as the device-event and purchase batches evaluate it: per row of the batch, over its columns.
      const gate = `SELECT q.i, ${consentGrantedSql("q.subject", "q.controller", "q.purpose", "$4")} AS granted
                      FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q(subject, controller, purpose, i)`;
      const params = () => [[customer, customer], [brand, brand], [purpose, otherPurpose], Math.floor(Date.now() / 1000)];

      it("reads none of the customer's issues to find pending revocations (800 of them here)", async () => {
        const reads = await operationsReads(t.db, gate, params());
        expect(reads.length, "the gate reads operations").to.be.greaterThan(0);
        for (const n of reads) {
          expect(n["Node Type"], JSON.stringify(n)).to.not.equal("Seq Scan");
          expect(rowsVisited(n), JSON.stringify(n)).to.equal(0);
        }
        expect(await isConsentGranted(t.db, { subject: customer, controller: brand, purpose })).to.equal(true);
      });

      it("still finds a pending revocation among them: of this purpose, or of every purpose; not of another purpose", async () => {
        const revoke = async (k: "revoke" | "revokeAll", p: Hex | null) =>
          (
            await t.db.query<{ id: string }>(
              "INSERT INTO operations (kind, contract, function_name, args, subject, controller, purpose) VALUES ($1, 'ledger', $2, '[]', $3, $4, $5) RETURNING id::text AS id",
              [k, `${k}BySig`, customer, brand, p],
            )
          ).rows[0]!.id;
        const remove = (id: string) => t.db.query("DELETE FROM operations WHERE id = $1", [id]);

        const other = await revoke("revoke", otherPurpose);
        expect(await isConsentGranted(t.db, { subject: customer, controller: brand, purpose })).to.equal(true);
        const reads = await operationsReads(t.db, gate, params());
        // At most the one revocation, for each of the two rows.
        expect(reads.map(rowsVisited).reduce((a, b) => a + b, 0), "only the other purpose's revocation is looked at").to.be.at.most(2);
        const same = await revoke("revoke", purpose);
        expect(await isConsentGranted(t.db, { subject: customer, controller: brand, purpose })).to.equal(false);
        await remove(same);
        await remove(other);
        const all = await revoke("revokeAll", null);
        expect(await isConsentGranted(t.db, { subject: customer, controller: brand, purpose })).to.equal(false);
        await remove(all);
        expect(await isConsentGranted(t.db, { subject: customer, controller: brand, purpose })).to.equal(true);
      });
    });
  }
});
