import crypto from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import type { Queryable } from "../store/db";
import { StoreEventBus, type RecognisedCustomer, type StreamControl } from "./bus";

const RECONNECT_MS = 1000;
/** PostgreSQL refuses a notification payload of 8000 bytes or more: recognitions are packed below that. */
const PAYLOAD_MAX = 7900;

/**
 * Staff-stream fan-out across relay instances sharing one PostgreSQL: a recognition is sent with
 * `pg_notify` (delivered when it commits, to every instance) and each instance LISTENs on one dedicated
 * connection and hands what arrives to its own streams. The channel is named after the database schema,
 * so deployments (or test suites) sharing a database in different schemas do not see each other.
 *
 * Recognitions that are published while a notification is being sent wait and go together: one
 * `pg_notify` statement per round carries them all, packed as JSON arrays of up to PAYLOAD_MAX bytes each
 * (under load, one statement for many events instead of one each).
 *
 * The stream is live-only: while the listening connection is down (it reconnects every second) the
 * instance's staff screens miss recognitions; nothing else depends on it. If a notification cannot be
 * sent, the recognition is still delivered to this instance's own streams.
 */
export class PgStoreEventBus extends StoreEventBus {
  private client: pg.Client | undefined;
  private stopped = false;
  private reconnect: NodeJS.Timeout | undefined;
  private pending: RecognisedCustomer[] = [];
  private sending = false;

  private constructor(
    private readonly url: string,
    private readonly db: Queryable,
    private readonly channel: string,
    private readonly log: Logger,
  ) {
    super();
  }

  static async start(url: string, db: Queryable, log: Logger): Promise<PgStoreEventBus> {
    const { rows } = await db.query<{ schema: string }>("SELECT current_schema() AS schema");
    const channel = `relay_staff_${crypto.createHash("sha256").update(rows[0]?.schema ?? "public").digest("hex").slice(0, 16)}`;
    const bus = new PgStoreEventBus(url, db, channel, log);
    await bus.listen();
    return bus;
  }

  override publish(event: RecognisedCustomer): void {
    this.pending.push(event);
    if (!this.sending) void this.flush();
  }

  /** Sends what is pending, in publishing order, until nothing is left; one statement per round. */
  private async flush(): Promise<void> {
    this.sending = true;
    while (this.pending.length > 0) {
      const events = this.pending;
      this.pending = [];
      try {
        await this.db.query("SELECT count(pg_notify($1, p)) FROM unnest($2::text[]) AS p", [this.channel, packPayloads(events)]);
      } catch (err) {
        this.log.warn({ err: { message: (err as Error).message } }, "staff stream notification failed: delivered to this instance only");
        for (const e of events) this.deliver(e);
      }
    }
    this.sending = false;
  }

  /** Sent with the same channel as recognitions; this instance acts on it when PostgreSQL delivers it back. */
  override async control(order: StreamControl): Promise<void> {
    try {
      await this.db.query("SELECT pg_notify($1, $2)", [this.channel, JSON.stringify({ control: order })]);
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, "stream control notification failed: applied on this instance only");
      this.deliverControl(order);
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (n) => {
      if (n.channel !== this.channel || !n.payload) return;
      try {
        const message = JSON.parse(n.payload) as RecognisedCustomer[] | { control: StreamControl };
        if (Array.isArray(message)) for (const e of message) this.deliver(e);
        else this.deliverControl(message.control);
      } catch (err) {
        this.log.warn({ err: { message: (err as Error).message } }, "unreadable staff stream notification");
      }
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err: err && { message: err.message } }, "staff stream listener lost its connection: reconnecting");
      this.scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    this.reconnect = setTimeout(() => {
      this.listen().catch((err: Error) => {
        this.log.warn({ err: { message: err.message } }, "staff stream listener cannot reconnect yet");
        if (!this.stopped) this.scheduleReconnect();
      });
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** Recognitions as JSON arrays of at most PAYLOAD_MAX bytes each, in order (one recognition is far smaller). */
export function packPayloads(events: readonly RecognisedCustomer[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const e of events) {
    const json = JSON.stringify(e);
    const bytes = Buffer.byteLength(json);
    if (parts.length > 0 && size + bytes + 1 > PAYLOAD_MAX) {
      payloads.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(json);
    size += bytes + 1;
  }
  if (parts.length > 0) payloads.push(`[${parts.join(",")}]`);
  return payloads;
}
