// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICoalitionPoints
/// @notice One points currency (an ERC-20 with 0 decimals) for all partner brands; every point in circulation is
/// backed by `unitValue()` units of a settlement asset held by the contract. The ERC-20 functions themselves come
/// from IERC20 / IERC20Metadata.
interface ICoalitionPoints {
    event BrandAdmitted(address indexed brand);
    event BrandSuspended(address indexed brand);
    /// @notice `brand` proposed `operator`; the key acts for the brand once it calls `acceptOperator(brand)`.
    event OperatorProposed(address indexed brand, address indexed operator);
    /// @notice `operator` now acts for `brand` (`allowed` true, on acceptance) or does not (`allowed` false: removed
    /// by the brand, renounced, or the brand's proposal withdrawn).
    event OperatorSet(address indexed brand, address indexed operator, bool allowed);
    event Deposited(address indexed brand, uint256 amount);
    event Withdrawn(address indexed brand, address indexed to, uint256 amount);
    event PointsIssued(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId);
    event PointsReversed(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId);
    event PointsRedeemed(address indexed customer, address indexed brand, uint256 points, bytes32 orderRef);
    event PointsExpired(address indexed customer, uint256 points);
    event TransfersEnabledSet(bool enabled);
    /// @notice The expiry period becomes `period` (0: never) at `effectiveAt`: the time of the call for a period at
    /// least as long as the one in force, 30 days later for a shorter one.
    event ExpiryPeriodSet(uint40 period, uint40 effectiveAt);
    event TreasurySet(address indexed treasury);
    /// @notice `customer` consumed its nonce `nonce` without a signature, cancelling any Redeem signed with it.
    event NonceUsed(address indexed customer, uint256 nonce);
    /// @notice Governance set the tier thresholds (lifetime earned points; empty: no tiers).
    event TiersSet(uint256[] thresholds);
    /// @notice `brand` accepts redemptions (`accepted` true) or stopped accepting them.
    event RedemptionsAccepted(address indexed brand, bool accepted);

    /// @notice Governance admits (or re-admits) a brand.
    function admitBrand(address brand) external;
    /// @notice Governance stops a brand's issuance; points already issued stay valid everywhere.
    function suspendBrand(address brand) external;
    /// @notice Governance turns customer-to-customer transfers on or off (off at deployment).
    function setTransfersEnabled(bool enabled) external;
    /// @notice Governance sets the inactivity period after which a balance may be expired.
    /// @dev Reverts with `ExpiryPeriodTooShort` for a period between 1 s and 30 days. A period shorter than the one in
    /// force (0 counting as the longest, so turning expiry on is a shortening) applies 30 days after this call;
    /// any other applies at once and cancels a pending shortening.
    /// @param period Seconds; 0 = never, otherwise at least 30 days.
    function setExpiryPeriod(uint40 period) external;
    /// @notice Governance sets where the backing of expired points goes.
    function setTreasury(address treasury) external;
    /// @notice Governance stops every movement of points and funds; the expiry clock stands still until `unpause`.
    function pause() external;
    /// @notice Governance lifts a pause.
    function unpause() external;
    /// @notice Governance sets the coalition's tiers as thresholds of lifetime earned points.
    /// @dev Strictly increasing and above 0 (`InvalidTierThreshold`), at most 16 (`TooManyTiers`); replaces the
    /// previous list. Emits `TiersSet`.
    /// @param thresholds Lifetime earned points needed for tier 1, 2, ...; an empty list removes tiers.
    function setTiers(uint256[] calldata thresholds) external;

    /// @notice A brand adds `amount` of the settlement asset to its balance.
    function deposit(uint256 amount) external;
    /// @notice A brand takes `amount` of its balance out to `to`.
    function withdraw(uint256 amount, address to) external;
    /// @notice A brand's settlement-asset balance held by the contract, outside the reserve.
    function brandBalance(address brand) external view returns (uint256);

    /// @notice A brand proposes a hot key that will act for it (`allowed` true), or withdraws its proposal or removes
    /// the key (`allowed` false).
    /// @dev A proposal emits `OperatorProposed` and grants nothing until the key accepts; removal and withdrawal emit
    /// `OperatorSet(brand, operator, false)`.
    /// @param operator The key.
    /// @param allowed True to propose, false to withdraw or remove.
    function setOperator(address operator, bool allowed) external;
    /// @notice The caller, proposed by `brand`, takes the operator role; an operator key serves one brand only.
    /// @dev Emits `OperatorSet(brand, caller, true)`. Reverts with `OperatorNotProposed`, `OperatorOfAnotherBrand`
    /// (it already serves a brand) or `OperatorIsBrand` (it was admitted as a brand meanwhile).
    /// @param brand The brand that proposed the caller.
    function acceptOperator(address brand) external;
    /// @notice The caller stops acting for `brand`.
    /// @dev Emits `OperatorSet(brand, caller, false)`; reverts with `OperatorNotSet` if it is not `brand`'s operator.
    /// @param brand The brand the caller serves.
    function renounceOperator(address brand) external;
    /// @notice Whether `operator` acts for `brand`.
    function isOperator(address brand, address operator) external view returns (bool);

    /// @notice A brand accepts redemptions again (`accepted` true) or stops accepting them; it still issues.
    /// @dev By the brand itself; emits `RedemptionsAccepted`. Redeeming at a brand that does not accept them reverts
    /// with `RedemptionsNotAccepted(brand)`.
    /// @param accepted Whether customers may spend points at the caller.
    function setAcceptsRedemptions(bool accepted) external;
    /// @notice Whether points can be spent at `brand` now.
    /// @param brand Brand address.
    /// @return True when `brand` is admitted and has not turned redemptions off.
    function acceptsRedemptions(address brand) external view returns (bool);

    /// @notice Issues `points` to `customer` for `brand`'s receipt `receiptId`, backed from `brand`'s balance. Each
    /// brand uses a receipt id once; the same id at two brands is two receipts.
    function issue(address brand, address customer, uint256 points, bytes32 receiptId) external;
    /// @notice `issue` for many receipts at once; one bad entry reverts the whole batch.
    function issueBatch(
        address brand,
        address[] calldata customers,
        uint256[] calldata points,
        bytes32[] calldata receiptIds
    ) external;
    /// @notice Claws back up to what the caller's brand issued for `receiptId`, from what `customer` still holds; the
    /// backing returns to that brand.
    function reverse(bytes32 receiptId, address customer, uint256 points) external;

    /// @notice The caller spends `points` at `brand`, whose balance is credited `points * unitValue()`.
    function redeem(address brand, uint256 points, bytes32 orderRef) external;
    /// @notice As `redeem`, authorised by an EIP-712 `Redeem` signature of `customer`.
    function redeemBySig(
        address customer,
        address brand,
        uint256 points,
        bytes32 orderRef,
        uint256 deadline,
        bytes calldata signature
    ) external;
    /// @notice The caller consumes its next nonce, cancelling a `Redeem` it signed with that nonce and handed out.
    /// @dev Emits `NonceUsed(caller, nonce)`; also while paused.
    /// @return nonce The nonce consumed.
    function useNonce() external returns (uint256 nonce);

    /// @notice Burns the balance of a customer inactive for longer than the expiry period; backing goes to treasury.
    function expire(address customer) external;

    /// @notice The ERC-20 settlement asset that backs the points.
    function settlementAsset() external view returns (address);
    /// @notice Settlement-asset units backing one point.
    function unitValue() external view returns (uint256);
    /// @notice Settlement-asset units backing the points in circulation: totalSupply() * unitValue().
    function reserve() external view returns (uint256);
    /// @notice When `customer`'s inactivity clock started: the last time it earned, redeemed or received a non-zero
    /// transfer, moved later by the time the contract has been paused since (0: never active). Its balance may be
    /// expired once the block time is past `lastActivity + expiryPeriod()`.
    function lastActivity(address customer) external view returns (uint40);
    /// @notice Points ever issued to `customer` (net of reversals).
    function lifetimeEarned(address customer) external view returns (uint256);
    /// @notice The next EIP-712 nonce of `customer`.
    function nonces(address customer) external view returns (uint256);
    /// @notice The expiry period in force, in seconds; 0 means points never expire.
    /// @return The period.
    function expiryPeriod() external view returns (uint40);
    /// @notice A shorter expiry period set but not yet in force, and when it takes effect.
    /// @return period The coming period (0 when none is pending).
    /// @return effectiveAt The unix time from which it applies (0 when none is pending).
    function pendingExpiryPeriod() external view returns (uint40 period, uint40 effectiveAt);
    /// @notice The tier thresholds, in lifetime earned points (empty: no tiers).
    /// @return The thresholds, strictly increasing.
    function tiers() external view returns (uint256[] memory);
    /// @notice `customer`'s coalition tier: how many thresholds its lifetime earned points reach.
    /// @param customer Holder.
    /// @return 0 below the first threshold (or with no tiers), up to the number of thresholds.
    function tierOf(address customer) external view returns (uint8);
}
