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
}

/**
 * In-process fan-out of recognitions to the staff streams of one relay instance. Published after the
 * presence event's transaction commits. Several relay instances behind a load balancer would need a
 * shared channel instead (PostgreSQL LISTEN/NOTIFY on the same payload, or a message broker), since a
 * device and a staff screen may reach different instances.
 */
export class StoreEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: RecognisedCustomer): void {
    this.emitter.emit(`store:${event.storeId}`, event);
  }

  subscribe(storeId: string, listener: (event: RecognisedCustomer) => void): () => void {
    const name = `store:${storeId}`;
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  listenerCount(storeId: string): number {
    return this.emitter.listenerCount(`store:${storeId}`);
  }
}
