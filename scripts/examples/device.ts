/**
 * A shop device with the client module (docs/client.md): signs a presence event with its Ed25519 key and
 * posts it to its store. Against the demo (`npm run demo -- --keep`), with a device registered by
 * `npm run devices -- add-device --store STORE --id DEVICE --name ... --key-out device.pem`:
 *
 *   RELAY_URL=http://127.0.0.1:PORT DEVICE_ID=door-1 STORE_ID=STORE DEVICE_KEY_FILE=device.pem \
 *     npm run example:device -- 0xCUSTOMER_WALLET
 */
import fs from "node:fs";
import type { Address } from "viem";
import { createRelayClient, RelayError, signDeviceRequest } from "confiance/client";
import { helpFromDocComment } from "../lib/usage";

export async function deviceExample({ relayUrl, deviceId, storeId, privateKeyPem, wallet }: { relayUrl: string; deviceId: string; storeId: string; privateKeyPem: string; wallet: Address }) {
  // What the device sends: its body, and the four headers that sign it (method, path, time, nonce, id, body hash).
  const path = `/v1/stores/${encodeURIComponent(storeId)}/events`;
  const body = JSON.stringify({ eventId: `${deviceId}-${Date.now()}`, kind: "presence", customer: { wallet } });
  const headers = signDeviceRequest({ privateKey: privateKeyPem, deviceId, method: "POST", path, body });
  const res = await fetch(relayUrl + path, { method: "POST", body, headers: { ...headers, "content-type": "application/json" } });
  const answer = await res.json();

  // The same in one call, with the relay client (a fresh event id: each event is acted on once).
  const relay = createRelayClient({ url: relayUrl });
  const again = await relay.postDeviceEvent({
    deviceId,
    storeId,
    privateKey: privateKeyPem,
    event: { eventId: `${deviceId}-${Date.now()}-b`, kind: "presence", customer: { wallet } },
  });
  return { status: res.status, answer, again };
}

if (require.main === module) {
  helpFromDocComment(__filename);
  const { RELAY_URL, DEVICE_ID, STORE_ID, DEVICE_KEY_FILE } = process.env;
  const wallet = process.argv[2] as Address | undefined;
  if (!RELAY_URL || !DEVICE_ID || !STORE_ID || !DEVICE_KEY_FILE || !wallet) {
    console.error("set RELAY_URL, DEVICE_ID, STORE_ID, DEVICE_KEY_FILE and give the customer's wallet address");
    process.exit(2);
  }
  deviceExample({ relayUrl: RELAY_URL, deviceId: DEVICE_ID, storeId: STORE_ID, privateKeyPem: fs.readFileSync(DEVICE_KEY_FILE, "utf8"), wallet }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: Error) => {
      console.error(err instanceof RelayError ? `relay refused: ${err.status} ${err.code}: ${err.shortMessage}` : `failed: ${err.message}`);
      process.exit(1);
    },
  );
}
