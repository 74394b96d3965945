// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICoalitionPoints
/// @notice One points currency (an ERC-20 with 0 decimals) for all partner brands; every point in circulation is
/// backed by `unitValue()` units of a settlement asset held by the contract. The ERC-20 functions themselves come
/// from IERC20 / IERC20Metadata.
interface ICoalitionPoints {
    event BrandAdmitted(address indexed brand);
    event BrandSuspended(address indexed brand);
    event OperatorSet(address indexed brand, address indexed operator, bool allowed);
    event Deposited(address indexed brand, uint256 amount);
    event Withdrawn(address indexed brand, address indexed to, uint256 amount);
    event PointsIssued(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId);
    event PointsReversed(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId);
    event PointsRedeemed(address indexed customer, address indexed brand, uint256 points, bytes32 orderRef);
    event PointsExpired(address indexed customer, uint256 points);
    event TransfersEnabledSet(bool enabled);
    event ExpiryPeriodSet(uint40 period);
    event TreasurySet(address indexed treasury);

    /// @notice Governance admits (or re-admits) a brand.
    function admitBrand(address brand) external;
    /// @notice Governance stops a brand's issuance; points already issued stay valid everywhere.
    function suspendBrand(address brand) external;
    /// @notice Governance turns customer-to-customer transfers on or off (off at deployment).
    function setTransfersEnabled(bool enabled) external;
    /// @notice Governance sets the inactivity period after which a balance may be expired (0: never).
    function setExpiryPeriod(uint40 period) external;
    /// @notice Governance sets where the backing of expired points goes.
    function setTreasury(address treasury) external;
    /// @notice Governance stops every movement of points and funds.
    function pause() external;
    /// @notice Governance lifts a pause.
    function unpause() external;

    /// @notice A brand adds `amount` of the settlement asset to its balance.
    function deposit(uint256 amount) external;
    /// @notice A brand takes `amount` of its balance out to `to`.
    function withdraw(uint256 amount, address to) external;
    /// @notice A brand's settlement-asset balance held by the contract, outside the reserve.
    function brandBalance(address brand) external view returns (uint256);

    /// @notice A brand allows or removes a hot key that acts for it.
    function setOperator(address operator, bool allowed) external;
    /// @notice Whether `operator` acts for `brand`.
    function isOperator(address brand, address operator) external view returns (bool);

    /// @notice Issues `points` to `customer` for receipt `receiptId`, backed from `brand`'s balance.
    function issue(address brand, address customer, uint256 points, bytes32 receiptId) external;
    /// @notice `issue` for many receipts at once; one bad entry reverts the whole batch.
    function issueBatch(
        address brand,
        address[] calldata customers,
        uint256[] calldata points,
        bytes32[] calldata receiptIds
    ) external;
    /// @notice Claws back up to what `receiptId` issued, from what `customer` still holds; the backing returns to
    /// the issuing brand.
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

    /// @notice Burns the balance of a customer inactive for longer than the expiry period; backing goes to treasury.
    function expire(address customer) external;

    /// @notice The ERC-20 settlement asset that backs the points.
    function settlementAsset() external view returns (address);
    /// @notice Settlement-asset units backing one point.
    function unitValue() external view returns (uint256);
    /// @notice Settlement-asset units backing the points in circulation: totalSupply() * unitValue().
    function reserve() external view returns (uint256);
    /// @notice Last time `customer` earned or redeemed.
    function lastActivity(address customer) external view returns (uint40);
    /// @notice Points ever issued to `customer` (net of reversals).
    function lifetimeEarned(address customer) external view returns (uint256);
    /// @notice The next EIP-712 nonce of `customer`.
    function nonces(address customer) external view returns (uint256);
}
