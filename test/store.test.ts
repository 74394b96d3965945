import { expect } from "chai";
import { openTestDb, testDbKinds } from "./support/db";
import { migrate } from "../server/store/db";

for (const kind of testDbKinds()) {
  describe(`store (${kind})`, () => {
    it("applies migrations once and returns the same value types from both drivers", async () => {
      const t = await openTestDb(kind);
      try {
        expect(await migrate(t.db)).to.deep.equal([]);
        const { rows, rowCount } = await t.db.query("SELECT 9007199254740991::int8 AS a, 12::numeric AS b, $1::text AS c", ["x"]);
        expect(rows).to.deep.equal([{ a: 9007199254740991, b: "12", c: "x" }]);
        expect(rowCount).to.equal(1);
        await expectRejects(t.db.query("SELECT 9007199254740992::int8 AS a"), /beyond 2\^53/);
      } finally {
        await t.drop();
      }
    });

    it("rolls a failed transaction back and commits a good one", async () => {
      const t = await openTestDb(kind);
      try {
        await expectRejects(
          t.db.transaction(async (tx) => {
            await tx.query("INSERT INTO meta (key, value) VALUES ('a', '1')");
            throw new Error("boom");
          }),
          /boom/,
        );
        await t.db.transaction((tx) => tx.query("INSERT INTO meta (key, value) VALUES ('b', '2')"));
        const { rows } = await t.db.query("SELECT key, value FROM meta ORDER BY key");
        expect(rows).to.deep.equal([{ key: "b", value: "2" }]);
      } finally {
        await t.drop();
      }
    });
  });
}

async function expectRejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(String(err)).to.match(pattern);
    return;
  }
  expect.fail("expected a rejection");
}
