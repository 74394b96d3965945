/**
 * confiance/client: the Confiance client module, for wallets, apps, shop devices and scripts, in Node
 * and in browsers. docs/client.md describes it with a worked example.
 *
 * - EIP-712: the domains and types customers sign (the single definition), and signing them with a viem
 *   account, a viem wallet client or an ethers signer;
 * - device request signing (Ed25519);
 * - purpose and data-category names, both ways, with English and French labels;
 * - a relay client: discovery, the customer's signed actions, following an operation to the chain, reads.
 */

// EIP-712 definitions and the contracts' ABIs
export { ledgerDomain, pointsDomain, relayDomain, ledgerTypes, pointsTypes, relayTypes } from "./typedData";
export { consentLedgerAbi, coalitionPointsAbi } from "./abis";

// Names
export { purposeId, purposeName, resolvePurpose, PURPOSES, KNOWN_PURPOSES, type KnownPurposeName, type PurposeNameParameters } from "./purposes";
export {
  categoryBitmap,
  categoryBit,
  categoryNames,
  CATEGORY_BITS,
  type CategoryBitmapErrorType,
  type CategoryName,
  type CategoryNamesErrorType,
  type KnownCategoryName,
} from "./categories";
export {
  baseLanguage,
  categoryLabel,
  labels,
  LANGUAGES,
  purposeLabel,
  type CategoryText,
  type Labels,
  type Language,
  type PurposeLabelParameters,
  type PurposeText,
} from "./labels";

// Signing customer messages
export {
  customerTypedData,
  type ConfianceContracts,
  type CustomerMessage,
  type CustomerPrimaryType,
  type CustomerTypedData,
  type CustomerTypedDataParameters,
  type LedgerPrimaryType,
  type PointsPrimaryType,
  type RelayPrimaryType,
} from "./signing/customerTypedData";
export {
  signCustomerMessage,
  type SignCustomerMessageErrorType,
  type SignCustomerMessageParameters,
  type SignCustomerMessageReturnType,
} from "./signing/signCustomerMessage";
export { getSignerAddress, type CustomerSigner, type EthersSigner, type GetSignerAddressErrorType, type WalletClientSigner } from "./signing/signer";

// Shop devices
export { canonicalRequest, canonicalRequestOfHash, DEVICE_NONCE_PATTERN, DEVICE_SIGNING_SCHEME, type CanonicalRequestParameters } from "./device/canonicalRequest";
export { devicePublicKey, devicePrivateKeyPem, InvalidDeviceKeyError, type DevicePrivateKey } from "./device/deviceKey";
export { generateDeviceKey, type GenerateDeviceKeyReturnType } from "./device/generateDeviceKey";
export {
  signDeviceRequest,
  type DeviceRequestHeaders,
  type SignDeviceRequestErrorType,
  type SignDeviceRequestParameters,
  type SignDeviceRequestReturnType,
} from "./device/signDeviceRequest";

// The relay client
export { createRelayClient, type RelayClient, type RelayClientBase, type RelayClientParameters } from "./relay/createRelayClient";
export { relayActions, type RelayActions } from "./relay/relayActions";
export { relayRequest, type RelayRequestErrorType, type RelayRequestParameters } from "./relay/relayRequest";
export { DEFAULT_VALIDITY_SECONDS, RELAY_MESSAGE_VALIDITY_SECONDS, type SignedAction } from "./relay/postSignedAction";
export type * from "./relay/types";
export type { CoalitionReport, PartnerReport } from "./relay/coalitionReport";
export { getConfig, type GetConfigErrorType, type GetConfigParameters, type GetConfigReturnType } from "./actions/getConfig";
export { getBrands, type GetBrandsErrorType, type GetBrandsParameters, type GetBrandsReturnType } from "./actions/getBrands";
export { getNonces, type GetNoncesErrorType, type GetNoncesParameters, type GetNoncesReturnType } from "./actions/getNonces";
export { getOperation, type GetOperationErrorType, type GetOperationParameters, type GetOperationReturnType } from "./actions/getOperation";
export { waitForOperation, type WaitForOperationErrorType, type WaitForOperationParameters, type WaitForOperationReturnType } from "./actions/waitForOperation";
export { getConsents, type GetConsentsErrorType, type GetConsentsParameters, type GetConsentsReturnType } from "./actions/getConsents";
export { getPoints, type GetPointsErrorType, type GetPointsParameters, type GetPointsReturnType } from "./actions/getPoints";
export { quote, type QuoteErrorType, type QuoteParameters, type QuoteReturnType } from "./actions/quote";
export { getHistory, type GetHistoryErrorType, type GetHistoryParameters, type GetHistoryReturnType } from "./actions/getHistory";
export { getReceipt, type GetReceiptErrorType, type GetReceiptParameters, type GetReceiptReturnType } from "./actions/getReceipt";
export { grant, type GrantErrorType, type GrantParameters, type GrantReturnType } from "./actions/grant";
export { revoke, type RevokeErrorType, type RevokeParameters, type RevokeReturnType } from "./actions/revoke";
export { revokeAll, type RevokeAllErrorType, type RevokeAllParameters, type RevokeAllReturnType } from "./actions/revokeAll";
export { setDelegate, type SetDelegateErrorType, type SetDelegateParameters, type SetDelegateReturnType } from "./actions/setDelegate";
export { redeem, type RedeemErrorType, type RedeemParameters, type RedeemReturnType } from "./actions/redeem";
export { linkCard, type LinkCardErrorType, type LinkCardParameters, type LinkCardReturnType } from "./actions/linkCard";
export { unlinkCard, type UnlinkCardErrorType, type UnlinkCardParameters, type UnlinkCardReturnType } from "./actions/unlinkCard";
export { eraseData, type EraseDataErrorType, type EraseDataParameters, type EraseDataReturnType } from "./actions/eraseData";
export { shareDisplayName, type ShareDisplayNameErrorType, type ShareDisplayNameParameters, type ShareDisplayNameReturnType } from "./actions/shareDisplayName";
export { getShoppingList, type GetShoppingListErrorType, type GetShoppingListParameters, type GetShoppingListReturnType } from "./actions/getShoppingList";
export { clearShoppingList, type ClearShoppingListErrorType, type ClearShoppingListParameters, type ClearShoppingListReturnType } from "./actions/clearShoppingList";
export { watchStore, type WatchStoreErrorType, type WatchStoreParameters, type WatchStoreReturnType, type WatchStoreStatus } from "./actions/watchStore";
export { PERSONAL_MESSAGE_VALIDITY_SECONDS } from "./relay/postPersonalMessage";
export {
  dataRequest,
  type DataRequestErrorType,
  type DataRequestKind,
  type DataRequestParameters,
  type DataRequestRecord,
  type DataRequestReturnType,
  type ErasureReport,
  type HeldRows,
} from "./actions/dataRequest";
export { postDeviceEvent, type PostDeviceEventErrorType, type PostDeviceEventParameters, type PostDeviceEventReturnType } from "./actions/postDeviceEvent";

// Errors
export { BaseError, type BaseErrorParameters } from "./errors/base";
export { RelayConnectionError, RelayError, RelayResponseError } from "./errors/relay";
export { SignatureRejectedError, SigningError, UnsupportedSignerError } from "./errors/signing";
export { WaitForOperationTimeoutError } from "./errors/operation";
export { InvalidCategoriesError, UnknownCategoryError } from "./errors/names";

// Notice documents
export * from "./notices";

// Auditing: the history chain, exports, consent at a time, receipts (client/audit, client/receipts)
export * from "./audit";
