// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ICoalitionPoints} from "./interfaces/ICoalitionPoints.sol";

/// @title CoalitionPoints
/// @notice One points currency (ERC-20, 0 decimals) shared by all partner brands. Every point in circulation is
/// backed by `unitValue()` units of the settlement asset held by this contract: a brand pays for the points it
/// issues from its deposited balance, and the brand at which a customer redeems is credited the backing at once.
/// @dev The ERC-20 core is implemented here rather than inherited from OpenZeppelin's ERC20 so that a holder's
/// balance, last activity time and lifetime earnings share one storage slot (see docs/gas.md). Accounting
/// invariant: `settlement.balanceOf(this) == reserve() + sum of brandBalance`, with `reserve()` derived as
/// `totalSupply() * unitValue()`. Fee-on-transfer settlement assets are refused at deposit; rebasing assets
/// are not supported (docs/points.md).
contract CoalitionPoints is
    ICoalitionPoints,
    IERC20Metadata,
    IERC20Errors,
    AccessControl,
    EIP712,
    Nonces,
    Pausable
{
    using SafeERC20 for IERC20;

    /// @notice Lifecycle of a brand: never admitted, admitted (issues, accepts, deposits), suspended (no issuance,
    /// no redemption, no deposit; still reverses, withdraws and manages its operators).
    enum BrandStatus {
        None,
        Admitted,
        Suspended
    }

    /// @dev One slot per holder: balance, the last time the holder earned, redeemed or received points, and points
    /// ever issued net of reversals.
    struct Account {
        uint96 balance;
        uint40 lastActivity;
        uint120 lifetimeEarned;
    }

    /// @dev One slot per brand.
    struct Brand {
        BrandStatus status;
        uint248 balance;
    }

    /// @dev One slot per receipt: a commitment to (brand, customer) and the points still reversible. A used
    /// receipt always has a non-zero commitment, even once fully reversed.
    struct Receipt {
        bytes20 commitment;
        uint96 remaining;
    }

    /// @notice EIP-712 type hash of a redemption authorised by signature.
    bytes32 public constant REDEEM_TYPEHASH = keccak256(
        "Redeem(address customer,address brand,uint256 points,bytes32 orderRef,uint256 nonce,uint256 deadline)"
    );

    /// @notice Largest balance, supply or single amount of points the contract handles (2^96 - 1).
    uint256 public constant MAX_POINTS = type(uint96).max;

    IERC20 private immutable _SETTLEMENT;
    uint256 private immutable _UNIT_VALUE;

    // Declared first so that they share a slot with Pausable's `_paused` flag: issuance and redemption read the
    // pause flag and then update the supply in a slot that is already warm.
    uint96 private _totalSupply;
    uint40 private _expiryPeriod;
    bool private _transfersEnabled;
    address private _treasury;

    mapping(address holder => Account) private _accounts;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    mapping(address brand => Brand) private _brands;
    mapping(address operator => address brand) private _operatorBrand;
    mapping(bytes32 receiptId => Receipt) private _receipts;

    /// @notice An address argument that must not be zero was zero.
    error ZeroAddress();
    /// @notice `unitValue` must be at least 1 and below 2^160 (so that reserve() cannot overflow).
    error InvalidUnitValue(uint256 unitValue);
    /// @notice The settlement asset is not a contract.
    error InvalidSettlementAsset(address asset);
    /// @notice `brand` is not admitted (never admitted, or suspended).
    error BrandNotAdmitted(address brand);
    /// @notice `brand` is already admitted.
    error BrandAlreadyAdmitted(address brand);
    /// @notice `account` is not a brand (admitted or suspended).
    error NotBrand(address account);
    /// @notice `caller` is neither `brand` nor one of its operators (`brand` is zero when the caller acts for no
    /// brand at all).
    error NotBrandOrOperator(address brand, address caller);
    /// @notice `operator` already acts for `brand`, another brand: an operator key serves exactly one brand.
    error OperatorOfAnotherBrand(address operator, address brand);
    /// @notice `operator` is not an operator of `brand`, so there is nothing to remove.
    error OperatorNotSet(address brand, address operator);
    /// @notice A brand cannot be named operator, nor an operator admitted as a brand.
    error OperatorIsBrand(address account);
    /// @notice `account` is an operator of `brand` and cannot be admitted as a brand itself.
    error BrandIsOperator(address account, address brand);
    /// @notice An amount of the settlement asset was zero.
    error ZeroAmount();
    /// @notice `brand` holds `balance` but `needed` was asked.
    error InsufficientBrandBalance(address brand, uint256 balance, uint256 needed);
    /// @notice The contract received `received` instead of `expected`: fee-on-transfer assets are refused.
    error UnsupportedSettlementTransfer(uint256 expected, uint256 received);
    /// @notice An amount of points must be between 1 and MAX_POINTS.
    error InvalidPoints(uint256 points);
    /// @notice The supply would exceed MAX_POINTS.
    error SupplyCapExceeded(uint256 supply, uint256 points);
    /// @notice `receiptId` was already used for an issuance.
    error ReceiptUsed(bytes32 receiptId);
    /// @notice `issueBatch` was called with no entries.
    error EmptyBatch();
    /// @notice `issueBatch` arrays differ in length.
    error BatchLengthMismatch(uint256 customers, uint256 points, uint256 receiptIds);
    /// @notice Batch entry `index` names the zero address as customer.
    error BatchInvalidCustomer(uint256 index);
    /// @notice Batch entry `index` has an invalid amount of points.
    error BatchInvalidPoints(uint256 index, uint256 points);
    /// @notice Batch entry `index` reuses `receiptId` (used before, or earlier in the same batch).
    error BatchReceiptUsed(uint256 index, bytes32 receiptId);
    /// @notice No issuance was recorded for `receiptId`.
    error UnknownReceipt(bytes32 receiptId);
    /// @notice `receiptId` was issued by another brand or to another customer.
    error ReceiptMismatch(bytes32 receiptId);
    /// @notice Only `remaining` points of `receiptId` can still be reversed.
    error ReversalExceedsReceipt(bytes32 receiptId, uint256 remaining, uint256 points);
    /// @notice The signed `deadline` has passed.
    error SignatureExpired(uint256 deadline);
    /// @notice The signature is not the customer's (wrong signer, malformed, or refused by the ERC-1271 wallet).
    error InvalidSignature();
    /// @notice The ECDSA signature has a high `s` value (malleable form); sign again.
    error SignatureHighS();
    /// @notice The expiry period is 0: points never expire.
    error ExpiryDisabled();
    /// @notice `customer` holds no points.
    error NothingToExpire(address customer);
    /// @notice `customer`'s points can be expired only after `expirableAfter` (a unix time).
    error NotYetExpirable(address customer, uint256 expirableAfter);
    /// @notice Customer-to-customer transfers are disabled.
    error TransfersDisabled();

    /// @param settlementAsset_ ERC-20 that backs the points (a stablecoin; no fee on transfer, no rebasing).
    /// @param unitValue_ Settlement-asset units backing one point, in [1, 2^160).
    /// @param governance Holder of DEFAULT_ADMIN_ROLE, and the initial treasury.
    constructor(
        address settlementAsset_,
        uint256 unitValue_,
        address governance
    ) EIP712("Confiance CoalitionPoints", "1") {
        if (settlementAsset_ == address(0) || governance == address(0)) revert ZeroAddress();
        if (settlementAsset_.code.length == 0) revert InvalidSettlementAsset(settlementAsset_);
        if (unitValue_ == 0 || unitValue_ >> 160 != 0) revert InvalidUnitValue(unitValue_);
        _SETTLEMENT = IERC20(settlementAsset_);
        _UNIT_VALUE = unitValue_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _treasury = governance;
        emit TreasurySet(governance);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    function admitBrand(address brand) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (brand == address(0)) revert ZeroAddress();
        address ofBrand = _operatorBrand[brand];
        if (ofBrand != address(0)) revert BrandIsOperator(brand, ofBrand);
        Brand storage b = _brands[brand];
        if (b.status == BrandStatus.Admitted) revert BrandAlreadyAdmitted(brand);
        b.status = BrandStatus.Admitted;
        emit BrandAdmitted(brand);
    }

    /// @inheritdoc ICoalitionPoints
    function suspendBrand(address brand) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Brand storage b = _brands[brand];
        if (b.status != BrandStatus.Admitted) revert BrandNotAdmitted(brand);
        b.status = BrandStatus.Suspended;
        emit BrandSuspended(brand);
    }

    /// @inheritdoc ICoalitionPoints
    function setTransfersEnabled(bool enabled) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _transfersEnabled = enabled;
        emit TransfersEnabledSet(enabled);
    }

    /// @inheritdoc ICoalitionPoints
    function setExpiryPeriod(uint40 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _expiryPeriod = period;
        emit ExpiryPeriodSet(period);
    }

    /// @inheritdoc ICoalitionPoints
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc ICoalitionPoints
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc ICoalitionPoints
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Brand accounts and operators
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    /// @dev Only an admitted brand, from its own funds (after `approve`). The amount actually received is
    /// checked, so fee-on-transfer assets revert with UnsupportedSettlementTransfer. The balance is credited after
    /// the pull because the received amount must be measured; a re-entrant call during the pull that moves the
    /// asset in or out changes that measurement and makes the deposit revert.
    function deposit(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        Brand storage b = _brands[msg.sender];
        if (b.status != BrandStatus.Admitted) revert BrandNotAdmitted(msg.sender);
        uint256 before = _SETTLEMENT.balanceOf(address(this));
        _SETTLEMENT.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _SETTLEMENT.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedSettlementTransfer(amount, received);
        b.balance = SafeCast.toUint248(uint256(b.balance) + amount);
        emit Deposited(msg.sender, amount);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Only the brand itself (admitted or suspended), never its operators.
    function withdraw(uint256 amount, address to) external whenNotPaused {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        Brand storage b = _brands[msg.sender];
        if (b.status == BrandStatus.None) revert NotBrand(msg.sender);
        uint256 balance = b.balance;
        if (amount > balance) revert InsufficientBrandBalance(msg.sender, balance, amount);
        b.balance = uint248(balance - amount);
        emit Withdrawn(msg.sender, to, amount);
        _SETTLEMENT.safeTransfer(to, amount);
    }

    /// @inheritdoc ICoalitionPoints
    function brandBalance(address brand) external view returns (uint256) {
        return _brands[brand].balance;
    }

    /// @notice The status of `brand`: None, Admitted or Suspended.
    /// @param brand Brand address.
    /// @return Its status.
    function brandStatus(address brand) external view returns (BrandStatus) {
        return _brands[brand].status;
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Callable by any brand (admitted or suspended), also while paused so that a leaked key can be removed.
    /// An operator serves one brand only; a brand cannot be an operator.
    function setOperator(address operator, bool allowed) external {
        if (_brands[msg.sender].status == BrandStatus.None) revert NotBrand(msg.sender);
        if (operator == address(0)) revert ZeroAddress();
        address current = _operatorBrand[operator];
        if (current != address(0) && current != msg.sender) revert OperatorOfAnotherBrand(operator, current);
        if (allowed) {
            if (_brands[operator].status != BrandStatus.None) revert OperatorIsBrand(operator);
            _operatorBrand[operator] = msg.sender;
        } else {
            if (current == address(0)) revert OperatorNotSet(msg.sender, operator);
            delete _operatorBrand[operator];
        }
        emit OperatorSet(msg.sender, operator, allowed);
    }

    /// @inheritdoc ICoalitionPoints
    function isOperator(address brand, address operator) external view returns (bool) {
        return brand != address(0) && _operatorBrand[operator] == brand;
    }

    /// @notice The brand `operator` acts for, or zero.
    /// @param operator Operator key.
    /// @return The brand.
    function operatorBrand(address operator) external view returns (address) {
        return _operatorBrand[operator];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Issuance and reversal
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    /// @dev By the admitted `brand` or its operator. Writes the receipt slot, the customer's account slot, the
    /// brand slot and the supply.
    function issue(address brand, address customer, uint256 points, bytes32 receiptId) external whenNotPaused {
        Brand storage b = _issuer(brand);
        if (customer == address(0)) revert ERC20InvalidReceiver(address(0));
        if (points == 0 || points > MAX_POINTS) revert InvalidPoints(points);
        if (_receipts[receiptId].commitment != bytes20(0)) revert ReceiptUsed(receiptId);
        _fund(brand, b, points);
        _mintForReceipt(brand, customer, points, receiptId);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Entries are checked in order; a duplicate receipt within the batch is reported at its second
    /// occurrence. The brand is debited and the supply updated once for the whole batch.
    function issueBatch(
        address brand,
        address[] calldata customers,
        uint256[] calldata points,
        bytes32[] calldata receiptIds
    ) external whenNotPaused {
        Brand storage b = _issuer(brand);
        uint256 n = customers.length;
        if (n == 0) revert EmptyBatch();
        if (points.length != n || receiptIds.length != n) {
            revert BatchLengthMismatch(n, points.length, receiptIds.length);
        }
        uint256 room = MAX_POINTS - _totalSupply;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            address customer = customers[i];
            uint256 p = points[i];
            bytes32 receiptId = receiptIds[i];
            if (customer == address(0)) revert BatchInvalidCustomer(i);
            if (p == 0 || p > MAX_POINTS) revert BatchInvalidPoints(i, p);
            if (_receipts[receiptId].commitment != bytes20(0)) revert BatchReceiptUsed(i, receiptId);
            total += p; // at most n * 2^96: no overflow for any calldata that fits in a block
            if (total > room) revert SupplyCapExceeded(MAX_POINTS - room, total);
            _mintForReceipt(brand, customer, p, receiptId);
        }
        _fund(brand, b, total);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev The acting brand is the caller if it is a brand, else the brand whose operator the caller is. Suspended
    /// brands may reverse. Reversal is not activity: the customer's last activity time is left unchanged.
    function reverse(bytes32 receiptId, address customer, uint256 points) external whenNotPaused {
        address brand = _actingBrand();
        if (points == 0 || points > MAX_POINTS) revert InvalidPoints(points);
        Receipt storage r = _receipts[receiptId];
        bytes20 commitment = r.commitment;
        if (commitment == bytes20(0)) revert UnknownReceipt(receiptId);
        if (commitment != _commitment(brand, customer)) revert ReceiptMismatch(receiptId);
        uint256 remaining = r.remaining;
        if (points > remaining) revert ReversalExceedsReceipt(receiptId, remaining, points);
        Account storage a = _accounts[customer];
        uint256 balance = a.balance;
        if (points > balance) revert ERC20InsufficientBalance(customer, balance, points);

        r.remaining = uint96(remaining - points);
        a.balance = uint96(balance - points);
        a.lifetimeEarned -= uint120(points); // lifetimeEarned >= what this receipt still holds
        _totalSupply -= uint96(points);
        _brands[brand].balance += uint248(points * _UNIT_VALUE);
        emit PointsReversed(brand, customer, points, receiptId);
        emit Transfer(customer, address(0), points);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Redemption and expiry
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    /// @dev Only at an admitted brand. Counts as activity.
    function redeem(address brand, uint256 points, bytes32 orderRef) external whenNotPaused {
        _redeem(msg.sender, brand, points, orderRef);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev EIP-712 `Redeem(address customer,address brand,uint256 points,bytes32 orderRef,uint256 nonce,
    /// uint256 deadline)` with the customer's next nonce. Accounts without code must sign with ECDSA (low s);
    /// accounts with code are asked through ERC-1271.
    function redeemBySig(
        address customer,
        address brand,
        uint256 points,
        bytes32 orderRef,
        uint256 deadline,
        bytes calldata signature
    ) external whenNotPaused {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(REDEEM_TYPEHASH, customer, brand, points, orderRef, _useNonce(customer), deadline))
        );
        if (customer.code.length == 0) {
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert SignatureHighS();
            if (err != ECDSA.RecoverError.NoError || signer != customer) revert InvalidSignature();
        } else if (!SignatureChecker.isValidERC1271SignatureNowCalldata(customer, digest, signature)) {
            revert InvalidSignature();
        }
        _redeem(customer, brand, points, orderRef);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Anyone may call it once `block.timestamp > lastActivity + expiryPeriod`; the whole balance is burnt.
    function expire(address customer) external whenNotPaused {
        uint256 period = _expiryPeriod;
        if (period == 0) revert ExpiryDisabled();
        Account storage a = _accounts[customer];
        uint256 balance = a.balance;
        if (balance == 0) revert NothingToExpire(customer);
        uint256 expirableAfter = uint256(a.lastActivity) + period;
        if (block.timestamp <= expirableAfter) revert NotYetExpirable(customer, expirableAfter);

        a.balance = 0;
        _totalSupply -= uint96(balance);
        emit PointsExpired(customer, balance);
        emit Transfer(customer, address(0), balance);
        _SETTLEMENT.safeTransfer(_treasury, balance * _UNIT_VALUE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    function settlementAsset() external view returns (address) {
        return address(_SETTLEMENT);
    }

    /// @inheritdoc ICoalitionPoints
    function unitValue() external view returns (uint256) {
        return _UNIT_VALUE;
    }

    /// @inheritdoc ICoalitionPoints
    function reserve() external view returns (uint256) {
        return uint256(_totalSupply) * _UNIT_VALUE;
    }

    /// @inheritdoc ICoalitionPoints
    function lastActivity(address customer) external view returns (uint40) {
        return _accounts[customer].lastActivity;
    }

    /// @inheritdoc ICoalitionPoints
    function lifetimeEarned(address customer) external view returns (uint256) {
        return _accounts[customer].lifetimeEarned;
    }

    /// @inheritdoc ICoalitionPoints
    function nonces(address customer) public view override(ICoalitionPoints, Nonces) returns (uint256) {
        return super.nonces(customer);
    }

    /// @notice Whether customer-to-customer transfers are enabled.
    /// @return True when enabled.
    function transfersEnabled() external view returns (bool) {
        return _transfersEnabled;
    }

    /// @notice Inactivity period after which a balance may be expired; 0 means never.
    /// @return The period in seconds.
    function expiryPeriod() external view returns (uint40) {
        return _expiryPeriod;
    }

    /// @notice Where the backing of expired points goes.
    /// @return The treasury address.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The stored state of a receipt: its commitment (zero when unused) and the points still reversible.
    /// @param receiptId Receipt id.
    /// @return commitment First 20 bytes of keccak256(abi.encode(brand, customer)).
    /// @return remaining Points issued for it not yet reversed.
    function receiptOf(bytes32 receiptId) external view returns (bytes20 commitment, uint96 remaining) {
        Receipt storage r = _receipts[receiptId];
        return (r.commitment, r.remaining);
    }

    /// @notice The EIP-712 domain separator of this contract on the current chain.
    /// @return The separator.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------------------------------------------------
    // ERC-20
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Token name.
    /// @return The name.
    function name() external pure returns (string memory) {
        return "Confiance Coalition Points";
    }

    /// @notice Token symbol.
    /// @return The symbol.
    function symbol() external pure returns (string memory) {
        return "CPTS";
    }

    /// @notice Points are indivisible.
    /// @return 0.
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @notice Points in circulation.
    /// @return The total supply.
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @notice Points held by `account`.
    /// @param account Holder.
    /// @return The balance.
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    /// @notice Points `spender` may still move from `owner`.
    /// @param owner Holder.
    /// @param spender Spender.
    /// @return The allowance.
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @notice Lets `spender` move up to `value` of the caller's points (type(uint256).max: unlimited). Allowed
    /// while paused and while transfers are disabled; only moving points is restricted.
    /// @param spender Spender.
    /// @param value Allowance.
    /// @return True.
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Moves `value` points from the caller to `to`; only when transfers are enabled and not paused.
    /// @param to Recipient; receiving counts as activity for it.
    /// @param value Points.
    /// @return True.
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @notice Moves `value` points from `from` to `to` using the caller's allowance (an unlimited allowance is
    /// not decreased); only when transfers are enabled and not paused.
    /// @param from Holder.
    /// @param to Recipient.
    /// @param value Points.
    /// @return True.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 current = _allowances[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < value) revert ERC20InsufficientAllowance(msg.sender, current, value);
            unchecked {
                _allowances[from][msg.sender] = current - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return
            interfaceId == type(ICoalitionPoints).interfaceId ||
            interfaceId == type(IERC20).interfaceId ||
            interfaceId == type(IERC20Metadata).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Checks that the caller is `brand` or its operator and that `brand` is admitted.
    function _issuer(address brand) private view returns (Brand storage b) {
        if (msg.sender != brand && _operatorBrand[msg.sender] != brand) revert NotBrandOrOperator(brand, msg.sender);
        b = _brands[brand];
        if (b.status != BrandStatus.Admitted) revert BrandNotAdmitted(brand);
    }

    /// @dev The brand the caller acts for: itself if it is a brand, else the brand it operates for.
    function _actingBrand() private view returns (address brand) {
        if (_brands[msg.sender].status != BrandStatus.None) return msg.sender;
        brand = _operatorBrand[msg.sender];
        if (brand == address(0)) revert NotBrandOrOperator(address(0), msg.sender);
    }

    /// @dev Moves the backing of `points` from the brand's balance into the reserve (grows the supply).
    function _fund(address brand, Brand storage b, uint256 points) private {
        uint256 supply = uint256(_totalSupply) + points;
        if (supply > MAX_POINTS) revert SupplyCapExceeded(_totalSupply, points);
        uint256 cost = points * _UNIT_VALUE; // < 2^96 * 2^160
        uint256 balance = b.balance;
        if (cost > balance) revert InsufficientBrandBalance(brand, balance, cost);
        b.balance = uint248(balance - cost);
        _totalSupply = uint96(supply);
    }

    /// @dev Records the receipt and credits the customer; supply and brand balance are the caller's business.
    function _mintForReceipt(address brand, address customer, uint256 points, bytes32 receiptId) private {
        _receipts[receiptId] = Receipt(_commitment(brand, customer), uint96(points));
        Account storage a = _accounts[customer];
        // Each addend and the total supply are bounded by MAX_POINTS (checked in _fund before the transaction
        // ends), so a balance cannot exceed it; the checked uint120 addition guards lifetimeEarned.
        a.balance += uint96(points);
        a.lifetimeEarned += uint120(points);
        a.lastActivity = uint40(block.timestamp);
        emit PointsIssued(brand, customer, points, receiptId);
        emit Transfer(address(0), customer, points);
    }

    function _redeem(address customer, address brand, uint256 points, bytes32 orderRef) private {
        if (points == 0 || points > MAX_POINTS) revert InvalidPoints(points);
        Brand storage b = _brands[brand];
        if (b.status != BrandStatus.Admitted) revert BrandNotAdmitted(brand);
        Account storage a = _accounts[customer];
        uint256 balance = a.balance;
        if (points > balance) revert ERC20InsufficientBalance(customer, balance, points);
        a.balance = uint96(balance - points);
        a.lastActivity = uint40(block.timestamp);
        _totalSupply -= uint96(points);
        b.balance += uint248(points * _UNIT_VALUE);
        emit PointsRedeemed(customer, brand, points, orderRef);
        emit Transfer(customer, address(0), points);
    }

    function _transfer(address from, address to, uint256 value) private whenNotPaused {
        if (!_transfersEnabled) revert TransfersDisabled();
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        Account storage src = _accounts[from];
        uint256 balance = src.balance;
        if (value > balance) revert ERC20InsufficientBalance(from, balance, value);
        src.balance = uint96(balance - value);
        Account storage dst = _accounts[to];
        dst.balance += uint96(value); // value <= balance <= MAX_POINTS; total supply bounds the sum
        dst.lastActivity = uint40(block.timestamp);
        emit Transfer(from, to, value);
    }

    function _commitment(address brand, address customer) private pure returns (bytes20) {
        return bytes20(keccak256(abi.encode(brand, customer)));
    }
}
