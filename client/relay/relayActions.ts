import { dataRequest, type DataRequestParameters, type DataRequestReturnType } from "../actions/dataRequest";
import { eraseData, type EraseDataParameters, type EraseDataReturnType } from "../actions/eraseData";
import { getBrands, type GetBrandsParameters, type GetBrandsReturnType } from "../actions/getBrands";
import { getConfig, type GetConfigParameters, type GetConfigReturnType } from "../actions/getConfig";
import { getConsents, type GetConsentsParameters, type GetConsentsReturnType } from "../actions/getConsents";
import { getHistory, type GetHistoryParameters, type GetHistoryReturnType } from "../actions/getHistory";
import { getNonces, type GetNoncesParameters, type GetNoncesReturnType } from "../actions/getNonces";
import { getOperation, type GetOperationParameters, type GetOperationReturnType } from "../actions/getOperation";
import { getReceipt, type GetReceiptParameters, type GetReceiptReturnType } from "../actions/getReceipt";
import { getPoints, type GetPointsParameters, type GetPointsReturnType } from "../actions/getPoints";
import { grant, type GrantParameters, type GrantReturnType } from "../actions/grant";
import { linkCard, type LinkCardParameters, type LinkCardReturnType } from "../actions/linkCard";
import { postDeviceEvent, type PostDeviceEventParameters, type PostDeviceEventReturnType } from "../actions/postDeviceEvent";
import { quote, type QuoteParameters, type QuoteReturnType } from "../actions/quote";
import { redeem, type RedeemParameters, type RedeemReturnType } from "../actions/redeem";
import { revoke, type RevokeParameters, type RevokeReturnType } from "../actions/revoke";
import { revokeAll, type RevokeAllParameters, type RevokeAllReturnType } from "../actions/revokeAll";
import { setDelegate, type SetDelegateParameters, type SetDelegateReturnType } from "../actions/setDelegate";
import { unlinkCard, type UnlinkCardParameters, type UnlinkCardReturnType } from "../actions/unlinkCard";
import { shareDisplayName, type ShareDisplayNameParameters, type ShareDisplayNameReturnType } from "../actions/shareDisplayName";
import { getShoppingList, type GetShoppingListParameters, type GetShoppingListReturnType } from "../actions/getShoppingList";
import { clearShoppingList, type ClearShoppingListParameters, type ClearShoppingListReturnType } from "../actions/clearShoppingList";
import { watchStore, type WatchStoreParameters, type WatchStoreReturnType } from "../actions/watchStore";
import { waitForOperation, type WaitForOperationParameters, type WaitForOperationReturnType } from "../actions/waitForOperation";
import type { RelayClientBase } from "./createRelayClient";
import { relayRequest, type RelayRequestParameters } from "./relayRequest";

/** The actions a relay client carries as methods. */
export type RelayActions = {
  getConfig(params?: GetConfigParameters): Promise<GetConfigReturnType>;
  getBrands(params?: GetBrandsParameters): Promise<GetBrandsReturnType>;
  getNonces(params: GetNoncesParameters): Promise<GetNoncesReturnType>;
  getOperation(params: GetOperationParameters): Promise<GetOperationReturnType>;
  waitForOperation(params: WaitForOperationParameters): Promise<WaitForOperationReturnType>;
  getConsents(params: GetConsentsParameters): Promise<GetConsentsReturnType>;
  getPoints(params: GetPointsParameters): Promise<GetPointsReturnType>;
  getHistory(params: GetHistoryParameters): Promise<GetHistoryReturnType>;
  getReceipt(params: GetReceiptParameters): Promise<GetReceiptReturnType>;
  quote(params: QuoteParameters): Promise<QuoteReturnType>;
  grant(params: GrantParameters): Promise<GrantReturnType>;
  revoke(params: RevokeParameters): Promise<RevokeReturnType>;
  revokeAll(params: RevokeAllParameters): Promise<RevokeAllReturnType>;
  setDelegate(params: SetDelegateParameters): Promise<SetDelegateReturnType>;
  redeem(params: RedeemParameters): Promise<RedeemReturnType>;
  linkCard(params: LinkCardParameters): Promise<LinkCardReturnType>;
  unlinkCard(params: UnlinkCardParameters): Promise<UnlinkCardReturnType>;
  eraseData(params: EraseDataParameters): Promise<EraseDataReturnType>;
  dataRequest(params: DataRequestParameters): Promise<DataRequestReturnType>;
  postDeviceEvent(params: PostDeviceEventParameters): Promise<PostDeviceEventReturnType>;
  shareDisplayName(params: ShareDisplayNameParameters): Promise<ShareDisplayNameReturnType>;
  getShoppingList(params: GetShoppingListParameters): Promise<GetShoppingListReturnType>;
  clearShoppingList(params: ClearShoppingListParameters): Promise<ClearShoppingListReturnType>;
  watchStore(params: WatchStoreParameters): WatchStoreReturnType;
  request<T>(params: RelayRequestParameters): Promise<T>;
};

/** Binds every action to `client`. */
export function relayActions(client: RelayClientBase): RelayActions {
  return {
    getConfig: (p) => getConfig(client, p),
    getBrands: (p) => getBrands(client, p),
    getNonces: (p) => getNonces(client, p),
    getOperation: (p) => getOperation(client, p),
    waitForOperation: (p) => waitForOperation(client, p),
    getConsents: (p) => getConsents(client, p),
    getPoints: (p) => getPoints(client, p),
    getHistory: (p) => getHistory(client, p),
    getReceipt: (p) => getReceipt(client, p),
    quote: (p) => quote(client, p),
    grant: (p) => grant(client, p),
    revoke: (p) => revoke(client, p),
    revokeAll: (p) => revokeAll(client, p),
    setDelegate: (p) => setDelegate(client, p),
    redeem: (p) => redeem(client, p),
    linkCard: (p) => linkCard(client, p),
    unlinkCard: (p) => unlinkCard(client, p),
    eraseData: (p) => eraseData(client, p),
    dataRequest: (p) => dataRequest(client, p),
    postDeviceEvent: (p) => postDeviceEvent(client, p),
    shareDisplayName: (p) => shareDisplayName(client, p),
    getShoppingList: (p) => getShoppingList(client, p),
    clearShoppingList: (p) => clearShoppingList(client, p),
    watchStore: (p) => watchStore(client, p),
    request: (p) => relayRequest(client, p),
  };
}
