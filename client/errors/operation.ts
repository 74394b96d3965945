import { BaseError } from "./base";

/** The operation had not reached the awaited status when the timeout passed; it may still get there. */
export class WaitForOperationTimeoutError extends BaseError {
  override name = "WaitForOperationTimeoutError";
  readonly operationId: string;
  /** The status last seen: "queued" or "submitted". */
  readonly lastStatus: string;

  constructor({ operationId, lastStatus, timeout }: { operationId: string; lastStatus: string; timeout: number }) {
    super(`operation ${operationId} was still ${lastStatus} after ${timeout} ms`);
    this.operationId = operationId;
    this.lastStatus = lastStatus;
  }
}
