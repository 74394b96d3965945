import type { Response } from "express";
import { HttpError } from "../http/errors";

/** One open staff stream: whose it is, and how to end it. */
interface OpenStream {
  brand: string;
  storeId: string;
  end: () => void;
}

export interface StaffStreamLimits {
  /** Streams one brand may hold open on this instance. */
  perBrand: number;
  /** Streams this instance holds open in all. */
  total: number;
}

/**
 * The staff streams open on this instance, counted per brand and in total: a stream beyond either limit
 * is refused (429 `stream_limit`) before any header is sent. Streams are ended by brand (its API key was
 * rotated, the brand was disabled) and all at once when the relay stops.
 */
export class StaffStreams {
  private readonly open = new Map<Response, OpenStream>();
  private readonly byBrand = new Map<string, number>();

  constructor(private readonly limits: StaffStreamLimits) {}

  /** Reserves a place for a new stream of `brand`, or throws 429 `stream_limit`. */
  add(res: Response, stream: OpenStream): void {
    const held = this.byBrand.get(stream.brand) ?? 0;
    if (held >= this.limits.perBrand) {
      res.setHeader("Retry-After", "30");
      throw new HttpError(429, "stream_limit", `this brand already holds ${held} staff streams on this relay instance (limit ${this.limits.perBrand})`);
    }
    if (this.open.size >= this.limits.total) {
      res.setHeader("Retry-After", "30");
      throw new HttpError(429, "stream_limit", `this relay instance already serves ${this.open.size} staff streams (limit ${this.limits.total})`);
    }
    this.open.set(res, stream);
    this.byBrand.set(stream.brand, held + 1);
  }

  /** Forgets a stream that closed. */
  delete(res: Response): void {
    const s = this.open.get(res);
    if (!s) return;
    this.open.delete(res);
    const held = (this.byBrand.get(s.brand) ?? 1) - 1;
    if (held > 0) this.byBrand.set(s.brand, held);
    else this.byBrand.delete(s.brand);
  }

  /** Ends every stream of `brand` on this instance; resolves to how many were ended. */
  endBrand(brand: string): number {
    let n = 0;
    for (const s of [...this.open.values()]) {
      if (s.brand !== brand.toLowerCase()) continue;
      s.end();
      n += 1;
    }
    return n;
  }

  endAll(): void {
    for (const s of [...this.open.values()]) s.end();
  }

  get size(): number {
    return this.open.size;
  }

  countOf(brand: string): number {
    return this.byBrand.get(brand.toLowerCase()) ?? 0;
  }
}
