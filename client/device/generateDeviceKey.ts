import { ed25519 } from "@noble/curves/ed25519";
import { devicePrivateKeyPem, devicePublicKey } from "./deviceKey";

export type GenerateDeviceKeyReturnType = {
  /** To register at the relay: base64url of the 32-byte Ed25519 public key. */
  publicKey: string;
  /** To keep on the device only: PKCS#8 PEM. */
  privateKeyPem: string;
};

/**
 * A new Ed25519 key pair for a shop device, from the platform's secure random source (Node or browser).
 *
 * @example
 * const { publicKey, privateKeyPem } = generateDeviceKey()
 */
export function generateDeviceKey(): GenerateDeviceKeyReturnType {
  const seed = ed25519.utils.randomPrivateKey();
  return { publicKey: devicePublicKey(seed), privateKeyPem: devicePrivateKeyPem(seed) };
}
