/** Errors of the demo and bench harness, each named so a failure says which part broke. */
export class RelayHttpError extends Error {
  override name = "RelayHttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

export class ChainActionError extends Error {
  override name = "ChainActionError";
}

export class DemoCheckError extends Error {
  override name = "DemoCheckError";
}
