import { parse, protocol, type PGlite, type Transaction } from "@electric-sql/pglite";

type BackendMessage = Awaited<ReturnType<PGlite["execProtocolStream"]>>[number];

interface Prepared {
  name: string;
  /** The parameters' type oids, as PostgreSQL inferred them. */
  paramTypes: number[];
  /** The result's columns (absent for a statement that returns no rows). */
  rowDescription?: BackendMessage;
}

/** Statements kept per PGlite; past this many, further texts run unnamed (as PGlite's own `query`). */
const MAX_STATEMENTS = 500;

/**
 * Named prepared statements for PGlite inside a transaction. PGlite's `query` parses and plans every statement
 * afresh, over six protocol exchanges; the device-event batch's consent gate alone took about 1.5 ms to plan.
 * Here a statement text is parsed once per PGlite (Parse and Describe), then each call is one exchange: Bind,
 * Execute and Sync. PostgreSQL keeps the plan (a generic one once it is as good as the custom ones) and
 * re-plans it by itself when a table it uses changes. Values are serialised and rows parsed by PGlite's own
 * serialisers and parsers, so results are exactly those of `query`.
 *
 * Only for statements inside a transaction: the caller holds PGlite's transaction lock, and each call takes
 * its query lock, as `Transaction.query` does.
 */
export class PgliteStatements {
  private readonly prepared = new Map<string, Prepared>();
  private named = 0;

  private constructor(private readonly lite: PGlite) {}

  private static readonly of = new WeakMap<PGlite, PgliteStatements>();

  /** The statements of `lite` (names are per database session: one set per PGlite). */
  static for(lite: PGlite): PgliteStatements {
    let s = PgliteStatements.of.get(lite);
    if (!s) PgliteStatements.of.set(lite, (s = new PgliteStatements(lite)));
    return s;
  }

  /** Runs `sql` with `params` in `tx` (an open transaction of this PGlite). */
  async query<T>(tx: Transaction, sql: string, params: readonly unknown[]): Promise<{ rows: T[]; affectedRows?: number }> {
    if (tx.closed) throw new Error("Transaction is closed");
    if (!this.prepared.has(sql) && this.prepared.size >= MAX_STATEMENTS) return tx.query<T>(sql, params as unknown[]);
    return this.lite.runExclusive(async () => {
      try {
        const statement = this.prepared.get(sql) ?? (await this.prepare(sql));
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serialise = this.lite.serializers[statement.paramTypes[i]!];
          return serialise ? serialise(value) : String(value);
        });
        const messages = await this.exchange(protocol.serialize.bind({ statement: statement.name, values }), protocol.serialize.execute({}));
        const [result] = parse.parseResults(statement.rowDescription ? [statement.rowDescription, ...messages] : messages, this.lite.parsers);
        return result as unknown as { rows: T[]; affectedRows?: number };
      } catch (err) {
        if (err instanceof protocol.messages.DatabaseError) {
          // A table the statement reads changed shape since it was prepared (only a migration does that): this
          // transaction fails, the next prepares the statement afresh.
          if (err.code === "0A000") this.prepared.delete(sql);
          // As PGlite's own query reports it.
          Object.assign(err, { query: sql, params });
        }
        throw err;
      }
    });
  }

  private async prepare(sql: string): Promise<Prepared> {
    const name = `confiance_${++this.named}`;
    const messages = await this.exchange(protocol.serialize.parse({ name, text: sql }), protocol.serialize.describe({ type: "S", name }));
    const statement: Prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(messages),
      rowDescription: messages.find((m) => m.name === "rowDescription"),
    };
    this.prepared.set(sql, statement);
    return statement;
  }

  /** Sends the messages and a Sync as one exchange; an error (thrown) has been followed by the Sync already. */
  private exchange(...messages: Uint8Array[]): Promise<BackendMessage[]> {
    const sync = protocol.serialize.sync();
    const all = new Uint8Array(messages.reduce((n, m) => n + m.length, sync.length));
    let at = 0;
    for (const m of [...messages, sync]) {
      all.set(m, at);
      at += m.length;
    }
    return this.lite.execProtocolStream(all, { syncToFs: false });
  }
}
