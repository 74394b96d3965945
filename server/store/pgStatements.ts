/** Statement texts named per pool; past this many, further texts run unnamed (parsed and planned each time). */
const MAX_STATEMENTS = 500;

/**
 * Names for PostgreSQL prepared statements (`pg`'s `name`): a text is parsed once per connection and its plan
 * kept (a generic one once it is as good as the custom ones), instead of being parsed and planned on every
 * call. PostgreSQL re-plans a kept statement by itself when a table it uses changes or is analysed; only a
 * change of its result's columns (error 0A000, only a migration does that) fails the call, and the text is then
 * given a new name, so the next call prepares it afresh on whichever connection it runs.
 */
export class PgStatementNames {
  private readonly names = new Map<string, string>();
  private next = 0;

  /** The name `sql` runs under, or undefined past MAX_STATEMENTS texts. */
  nameOf(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < MAX_STATEMENTS) this.names.set(sql, (name = `confiance_${this.next++}`));
    return name;
  }

  /** After `err` from a call of `sql`: a statement whose result changed shape is prepared again under a new name. */
  failed(sql: string, err: unknown): void {
    if ((err as { code?: unknown } | null)?.code === "0A000") this.names.delete(sql);
  }
}
