/** Errors of the demo and bench harness, each named so a failure says which part broke (the relay's own are the client module's RelayError). */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

export class ChainActionError extends Error {
  override name = "ChainActionError";
}

export class DemoCheckError extends Error {
  override name = "DemoCheckError";
}
