import { signDeviceRequest, type SignDeviceRequestParameters } from "../device/signDeviceRequest";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { DeviceEvent, DeviceEventAnswer } from "../relay/types";
import type { InvalidDeviceKeyError } from "../device/deviceKey";

export type PostDeviceEventParameters = {
  /** The device's id, as registered. */
  deviceId: string;
  /** The store the device belongs to. */
  storeId: string;
  /** presence, purchase, return or scan (docs/relay.md, "Device events"). */
  event: DeviceEvent;
  signal?: AbortSignal | undefined;
} & Pick<SignDeviceRequestParameters, "privateKey" | "sign">;
export type PostDeviceEventReturnType = DeviceEventAnswer;
export type PostDeviceEventErrorType = RelayRequestErrorType | InvalidDeviceKeyError;

/**
 * What a shop device does: signs its event with its Ed25519 key (`signDeviceRequest`) and posts it to
 * its store. The answer says whether it was acted on or dropped for lack of consent.
 *
 * @example
 * await postDeviceEvent(relay, { deviceId: "door-1", storeId: "paris-rivoli", privateKey: pem,
 *   event: { eventId: "door-1-0042", kind: "presence", customer: { wallet } } })
 */
export async function postDeviceEvent(client: RelayClientBase, { deviceId, storeId, event, privateKey, sign, signal }: PostDeviceEventParameters): Promise<PostDeviceEventReturnType> {
  const path = `/v1/stores/${encodeURIComponent(storeId)}/events`;
  const body = JSON.stringify(event);
  const headers = privateKey !== undefined
    ? signDeviceRequest({ deviceId, method: "POST", path, body, privateKey })
    : signDeviceRequest({ deviceId, method: "POST", path, body, sign: sign! });
  return relayRequest<DeviceEventAnswer>(client, { method: "POST", path, rawBody: body, headers, signal });
}
