import { EventEmitter } from "node:events";

/** What staff see when a recognised customer walks into their store. */
export interface RecognisedCustomer {
  storeId: string;
  brand: string;
  customer: string;
  seenAt: string;
  /** The customer's previous visit to any store of the brand, or null on a first visit. */
  lastVisit: string | null;
  /** Points balance as last indexed from the chain (decimal string). */
  points: string;
  /** The coalition tier (CoalitionPoints' tierOf), when the chain answered. */
  tier?: number;
}

/**
 * In-process fan-out of recognitions to the staff streams of one relay instance, published after the
 * presence event's transaction commits. With PostgreSQL, PgStoreEventBus (pgBus.ts) carries them between
 * relay instances instead, since a device and a staff screen may reach different instances.
 */
export class StoreEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Sends a recognition to every subscriber of its store (here: of this instance). */
  publish(event: RecognisedCustomer): void {
    this.deliver(event);
  }

  /** Hands a recognition to this instance's subscribers. */
  protected deliver(event: RecognisedCustomer): void {
    this.emitter.emit(`store:${event.storeId}`, event);
  }

  async stop(): Promise<void> {}

  subscribe(storeId: string, listener: (event: RecognisedCustomer) => void): () => void {
    const name = `store:${storeId}`;
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  listenerCount(storeId: string): number {
    return this.emitter.listenerCount(`store:${storeId}`);
  }
}
