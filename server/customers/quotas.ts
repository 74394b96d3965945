import type { Response } from "express";
import type { Address } from "viem";
import type { Env } from "../config";
import { HttpError } from "../http/errors";
import type { Queryable } from "../store/db";

/**
 * Quotas of customers' signed actions the relay accepts (queues and pays for): per wallet, counted in
 * the database (every instance shares it), and per client address, counted by this instance in fixed
 * windows (only the address's count is held, in memory). Beyond either: 429 with Retry-After.
 */
export class ActionQuotas {
  private readonly clients = new Map<string, { start: number; count: number }>();

  constructor(private readonly config: Pick<Env, "CUSTOMER_ACTIONS_PER_WALLET" | "CUSTOMER_ACTIONS_PER_CLIENT" | "CUSTOMER_QUOTA_WINDOW_SECONDS">) {}

  private get windowMs(): number {
    return this.config.CUSTOMER_QUOTA_WINDOW_SECONDS * 1000;
  }

  /** Throws 429 (and sets Retry-After) when the client address has used its quota. */
  checkClient(res: Response, client: string): void {
    const limit = this.config.CUSTOMER_ACTIONS_PER_CLIENT;
    if (limit === 0) return;
    const now = Date.now();
    const w = this.clients.get(client);
    if (w && now - w.start < this.windowMs && w.count >= limit) {
      res.set("Retry-After", String(Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000))));
      throw new HttpError(429, "client_quota_exceeded", `this client address sent ${limit} accepted actions in the last ${this.config.CUSTOMER_QUOTA_WINDOW_SECONDS} s`);
    }
  }

  /** Counts an accepted action of the client address. */
  noteClient(client: string): void {
    if (this.config.CUSTOMER_ACTIONS_PER_CLIENT === 0) return;
    const now = Date.now();
    const w = this.clients.get(client);
    if (!w || now - w.start >= this.windowMs) this.clients.set(client, { start: now, count: 1 });
    else w.count++;
    if (this.clients.size > 100_000) {
      for (const [k, v] of this.clients) if (now - v.start >= this.windowMs) this.clients.delete(k);
    }
  }

  /** Throws 429 (and sets Retry-After) when the wallet has used its quota (actions of every lane). */
  async checkWallet(db: Queryable, res: Response, subject: Address): Promise<void> {
    const limit = this.config.CUSTOMER_ACTIONS_PER_WALLET;
    if (limit === 0) return;
    const window = this.config.CUSTOMER_QUOTA_WINDOW_SECONDS;
    const r = await db.query<{ n: number; wait: number | null }>(
      `SELECT count(*)::int AS n, ceil(extract(epoch FROM min(created_at) + make_interval(secs => $2) - now()))::int AS wait
         FROM relay_customer_actions WHERE subject = $1 AND created_at > now() - make_interval(secs => $2)`,
      [subject.toLowerCase(), window],
    );
    const { n, wait } = r.rows[0]!;
    if (n >= limit) {
      res.set("Retry-After", String(Math.max(1, wait ?? window)));
      throw new HttpError(429, "wallet_quota_exceeded", `this wallet's actions reached ${limit} in the last ${window} s`);
    }
  }
}
