/**
 * A deadline for a signature, `seconds` from now as the contracts count time: the later of this
 * device's clock and the latest block's time (`chainTime`; a chain's clock may run ahead of the device's).
 */
export function signatureDeadline(chainTime: bigint, seconds = 3600, now = Date.now()): bigint {
  const device = BigInt(Math.floor(now / 1000));
  return (chainTime > device ? chainTime : device) + BigInt(seconds);
}
