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
  /** Visits to any store of the brand so far, this one included. */
  visitCount: number;
  /** The name the customer shares with this brand for in-store greeting, or null. */
  displayName: string | null;
  /** The customer's tier (CoalitionPoints `tierOf`, 0 below the first threshold); null when the coalition defines no tiers. */
  tier: number | null;
}

/** An order to every instance: end the staff streams of a brand (its API key was rotated, it was disabled). */
export interface StreamControl {
  endStreamsOf: string;
}

/** The emitter channel of one store: a store id alone names one store per brand. */
const channelOf = (brand: string, storeId: string) => `store:${brand.toLowerCase()}:${storeId}`;

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
    this.emitter.emit(channelOf(event.brand, event.storeId), event);
  }

  /** Sends a control order to every instance (here: this one). */
  async control(order: StreamControl): Promise<void> {
    this.deliverControl(order);
  }

  protected deliverControl(order: StreamControl): void {
    this.emitter.emit("control", order);
  }

  onControl(listener: (order: StreamControl) => void): () => void {
    this.emitter.on("control", listener);
    return () => this.emitter.off("control", listener);
  }

  async stop(): Promise<void> {}

  /** Listens to the recognitions of one store of one brand (store ids are scoped per brand). */
  subscribe(brand: string, storeId: string, listener: (event: RecognisedCustomer) => void): () => void {
    const name = channelOf(brand, storeId);
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  listenerCount(brand: string, storeId: string): number {
    return this.emitter.listenerCount(channelOf(brand, storeId));
  }
}
