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
/// are not supported (docs/points.md). Expiry counts inactivity on an "active clock" that stands still while the
/// contract is paused: the block time minus the time spent paused before it (`pausedTime()`). Activity times are
/// stored on that clock, so the hot paths pay nothing for the pause rule.
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

    /// @notice Lifecycle of a brand: never admitted, admitted (issues, accepts redemptions unless it turned them off,
    /// deposits), suspended (no issuance, no redemption, no deposit; still reverses, withdraws and manages its
    /// operators).
    enum BrandStatus {
        None,
        Admitted,
        Suspended
    }

    /// @dev One slot per holder: balance, the last time the holder earned, redeemed or received a non-zero amount
    /// (on the active clock: block time minus the time paused before it; 0 = never), and points ever issued net of
    /// reversals.
    struct Account {
        uint96 balance;
        uint40 lastActivity;
        uint120 lifetimeEarned;
    }

    /// @dev One slot per brand. `refusesRedemptions` is false by default: an admitted brand accepts redemptions.
    struct Brand {
        BrandStatus status;
        bool refusesRedemptions;
        uint240 balance;
    }

    /// @dev One slot per receipt of a brand: the customer it was issued to (never zero, so a used receipt is
    /// recognised even once fully reversed) and the points still reversible.
    struct Receipt {
        address customer;
        uint96 remaining;
    }

    /// @dev Where expired backing goes, and a shorter expiry period set but applying only from `pendingFrom` on
    /// (0: none pending). Together in one slot, which `expire` reads anyway for the treasury.
    struct ExpirySettings {
        address treasury;
        uint40 pendingPeriod;
        uint40 pendingFrom;
    }

    /// @notice EIP-712 type hash of a redemption authorised by signature.
    bytes32 public constant REDEEM_TYPEHASH = keccak256(
        "Redeem(address customer,address brand,uint256 points,bytes32 orderRef,uint256 nonce,uint256 deadline)"
    );

    /// @notice Largest balance, supply or single amount of points the contract handles (2^96 - 1).
    uint256 public constant MAX_POINTS = type(uint96).max;

    /// @notice Shortest non-zero expiry period.
    uint40 public constant MIN_EXPIRY_PERIOD = 30 days;
    /// @notice Delay between setting a shorter expiry period and its taking effect.
    uint40 public constant EXPIRY_NOTICE = 30 days;
    /// @notice Most tier thresholds governance may set.
    uint256 public constant MAX_TIERS = 16;

    IERC20 private immutable _SETTLEMENT;
    uint256 private immutable _UNIT_VALUE;

    // Declared first so that they share a slot with Pausable's `_paused` flag: issuance and redemption read the
    // pause flag and then update the supply, and read the paused time for the activity clock, in a warm slot.
    uint96 private _totalSupply;
    uint40 private _expiryPeriod; // in force, unless a pending shorter period has taken effect
    bool private _transfersEnabled;
    uint40 private _pausedTotal; // seconds spent paused in finished pauses
    uint40 private _pausedSince; // start of the current pause (meaningful while paused)
    ExpirySettings private _expiry;

    mapping(address holder => Account) private _accounts;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    mapping(address brand => Brand) private _brands;
    mapping(address operator => address brand) private _operatorBrand;
    mapping(address brand => mapping(address operator => bool)) private _operatorProposals;
    mapping(address brand => mapping(bytes32 receiptId => Receipt)) private _receipts;
    uint256[] private _tierThresholds;

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
    /// @notice `operator` is neither an operator of `brand` nor proposed by it, so there is nothing to remove.
    error OperatorNotSet(address brand, address operator);
    /// @notice `operator` already acts for `brand`.
    error OperatorAlreadySet(address brand, address operator);
    /// @notice `brand` has not proposed `operator`, so it cannot accept.
    error OperatorNotProposed(address brand, address operator);
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
    /// @notice `brand` already used `receiptId` for an issuance.
    error ReceiptUsed(address brand, bytes32 receiptId);
    /// @notice `issueBatch` was called with no entries.
    error EmptyBatch();
    /// @notice `issueBatch` arrays differ in length.
    error BatchLengthMismatch(uint256 customers, uint256 points, uint256 receiptIds);
    /// @notice Batch entry `index` names the zero address as customer.
    error BatchInvalidCustomer(uint256 index);
    /// @notice Batch entry `index` has an invalid amount of points.
    error BatchInvalidPoints(uint256 index, uint256 points);
    /// @notice Batch entry `index` reuses `receiptId` of the batch's brand (used before, or earlier in the batch).
    error BatchReceiptUsed(uint256 index, bytes32 receiptId);
    /// @notice `brand` recorded no issuance for `receiptId`.
    error UnknownReceipt(address brand, bytes32 receiptId);
    /// @notice `receiptId` was issued to another customer.
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
    /// @notice A non-zero expiry period must be at least `minimum` seconds.
    error ExpiryPeriodTooShort(uint40 period, uint40 minimum);
    /// @notice `count` tier thresholds were given; at most `max` are allowed.
    error TooManyTiers(uint256 count, uint256 max);
    /// @notice Tier threshold number `index` (`threshold`) is not above the one before it (or is 0 when first).
    error InvalidTierThreshold(uint256 index, uint256 threshold);
    /// @notice `brand` does not accept redemptions (it turned them off).
    error RedemptionsNotAccepted(address brand);

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
        _expiry.treasury = governance;
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
    /// @dev A period at least as long as the one in force (0 being the longest) applies at once and cancels a
    /// pending shortening; a shorter one replaces any pending change and applies EXPIRY_NOTICE after this call.
    function setExpiryPeriod(uint40 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (period != 0 && period < MIN_EXPIRY_PERIOD) revert ExpiryPeriodTooShort(period, MIN_EXPIRY_PERIOD);
        uint40 inForce = _expiryPeriodInForce();
        uint40 effectiveAt = uint40(block.timestamp);
        if (period != 0 && (inForce == 0 || period < inForce)) {
            effectiveAt += EXPIRY_NOTICE;
            _expiryPeriod = inForce;
            (_expiry.pendingPeriod, _expiry.pendingFrom) = (period, effectiveAt);
        } else {
            _expiryPeriod = period;
            (_expiry.pendingPeriod, _expiry.pendingFrom) = (0, 0);
        }
        emit ExpiryPeriodSet(period, effectiveAt);
    }

    /// @inheritdoc ICoalitionPoints
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        _expiry.treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Notes when the pause began: time while paused does not count as inactivity.
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
        _pausedSince = uint40(block.timestamp);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Adds the pause's length to the paused time, which moves every expiry date later by as much.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
        _pausedTotal += uint40(block.timestamp) - _pausedSince;
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Bounded by MAX_TIERS, so `tierOf` reads at most 16 thresholds.
    function setTiers(uint256[] calldata thresholds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 n = thresholds.length;
        if (n > MAX_TIERS) revert TooManyTiers(n, MAX_TIERS);
        uint256 previous;
        for (uint256 i; i < n; ++i) {
            uint256 threshold = thresholds[i];
            if (threshold <= previous) revert InvalidTierThreshold(i, threshold);
            previous = threshold;
        }
        _tierThresholds = thresholds;
        emit TiersSet(thresholds);
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
        b.balance = SafeCast.toUint240(uint256(b.balance) + amount);
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
        b.balance = uint240(balance - amount); // below the stored balance
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
    /// `allowed` true only proposes: the key acts once it calls `acceptOperator`. A proposal reserves nothing (the
    /// key may still be admitted as a brand or proposed by other brands); a key already serving a brand, or a
    /// brand, is refused at once. `allowed` false withdraws the caller's proposal or removes its operator.
    function setOperator(address operator, bool allowed) external {
        if (_brands[msg.sender].status == BrandStatus.None) revert NotBrand(msg.sender);
        if (operator == address(0)) revert ZeroAddress();
        address current = _operatorBrand[operator];
        if (allowed) {
            if (current == msg.sender) revert OperatorAlreadySet(msg.sender, operator);
            if (current != address(0)) revert OperatorOfAnotherBrand(operator, current);
            if (_brands[operator].status != BrandStatus.None) revert OperatorIsBrand(operator);
            _operatorProposals[msg.sender][operator] = true;
            emit OperatorProposed(msg.sender, operator);
            return;
        }
        if (current == msg.sender) {
            delete _operatorBrand[operator];
        } else if (_operatorProposals[msg.sender][operator]) {
            delete _operatorProposals[msg.sender][operator];
        } else if (current != address(0)) {
            revert OperatorOfAnotherBrand(operator, current);
        } else {
            revert OperatorNotSet(msg.sender, operator);
        }
        emit OperatorSet(msg.sender, operator, false);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Also while paused or while `brand` is suspended, like `setOperator`.
    function acceptOperator(address brand) external {
        if (!_operatorProposals[brand][msg.sender]) revert OperatorNotProposed(brand, msg.sender);
        address current = _operatorBrand[msg.sender];
        if (current != address(0)) revert OperatorOfAnotherBrand(msg.sender, current);
        if (_brands[msg.sender].status != BrandStatus.None) revert OperatorIsBrand(msg.sender);
        delete _operatorProposals[brand][msg.sender];
        _operatorBrand[msg.sender] = brand;
        emit OperatorSet(brand, msg.sender, true);
    }

    /// @inheritdoc ICoalitionPoints
    function renounceOperator(address brand) external {
        if (brand == address(0) || _operatorBrand[msg.sender] != brand) revert OperatorNotSet(brand, msg.sender);
        delete _operatorBrand[msg.sender];
        emit OperatorSet(brand, msg.sender, false);
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

    /// @notice Whether `brand` has proposed `operator` and the key has not yet accepted (nor been withdrawn).
    /// @param brand Brand address.
    /// @param operator Proposed key.
    /// @return True while the proposal stands.
    function isOperatorProposed(address brand, address operator) external view returns (bool) {
        return _operatorProposals[brand][operator];
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev By the brand itself (admitted or suspended), also while paused. The choice survives a suspension.
    function setAcceptsRedemptions(bool accepted) external {
        Brand storage b = _brands[msg.sender];
        if (b.status == BrandStatus.None) revert NotBrand(msg.sender);
        b.refusesRedemptions = !accepted;
        emit RedemptionsAccepted(msg.sender, accepted);
    }

    /// @inheritdoc ICoalitionPoints
    function acceptsRedemptions(address brand) external view returns (bool) {
        Brand storage b = _brands[brand];
        return b.status == BrandStatus.Admitted && !b.refusesRedemptions;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Issuance and reversal
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    /// @dev By the admitted `brand` or its operator. Writes the receipt slot, the customer's account slot, the
    /// brand slot and the supply. Tiers cost issuance nothing: `tierOf` derives them from lifetime earnings.
    function issue(address brand, address customer, uint256 points, bytes32 receiptId) external whenNotPaused {
        Brand storage b = _issuer(brand);
        if (customer == address(0)) revert ERC20InvalidReceiver(address(0));
        if (points == 0 || points > MAX_POINTS) revert InvalidPoints(points);
        Receipt storage r = _receipts[brand][receiptId];
        if (r.customer != address(0)) revert ReceiptUsed(brand, receiptId);
        _fund(brand, b, points);
        _mintForReceipt(r, brand, customer, points, receiptId);
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
        mapping(bytes32 => Receipt) storage receipts = _receipts[brand];
        uint256 room = MAX_POINTS - _totalSupply;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            address customer = customers[i];
            uint256 p = points[i];
            bytes32 receiptId = receiptIds[i];
            if (customer == address(0)) revert BatchInvalidCustomer(i);
            if (p == 0 || p > MAX_POINTS) revert BatchInvalidPoints(i, p);
            Receipt storage r = receipts[receiptId];
            if (r.customer != address(0)) revert BatchReceiptUsed(i, receiptId);
            total += p; // at most n * 2^96: no overflow for any calldata that fits in a block
            if (total > room) revert SupplyCapExceeded(MAX_POINTS - room, total);
            _mintForReceipt(r, brand, customer, p, receiptId);
        }
        _fund(brand, b, total);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev The acting brand is the caller if it is a brand, else the brand whose operator the caller is, and the
    /// receipt is looked up among that brand's. Suspended brands may reverse. Reversal is not activity: the
    /// customer's last activity time is left unchanged. Lowering lifetime earnings may lower the customer's tier.
    function reverse(bytes32 receiptId, address customer, uint256 points) external whenNotPaused {
        address brand = _actingBrand();
        if (points == 0 || points > MAX_POINTS) revert InvalidPoints(points);
        Receipt storage r = _receipts[brand][receiptId];
        address holder = r.customer;
        if (holder == address(0)) revert UnknownReceipt(brand, receiptId);
        if (holder != customer) revert ReceiptMismatch(receiptId);
        uint256 remaining = r.remaining;
        if (points > remaining) revert ReversalExceedsReceipt(receiptId, remaining, points);
        Account storage a = _accounts[customer];
        uint256 balance = a.balance;
        if (points > balance) revert ERC20InsufficientBalance(customer, balance, points);

        r.remaining = uint96(remaining - points);
        a.balance = uint96(balance - points);
        a.lifetimeEarned -= uint120(points); // lifetimeEarned >= what this receipt still holds
        _totalSupply -= uint96(points);
        _credit(_brands[brand], points);
        emit PointsReversed(brand, customer, points, receiptId);
        emit Transfer(customer, address(0), points);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Redemption and expiry
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICoalitionPoints
    /// @dev Only at an admitted brand that accepts redemptions. Counts as activity.
    function redeem(address brand, uint256 points, bytes32 orderRef) external whenNotPaused {
        _redeem(msg.sender, brand, points, orderRef);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev EIP-712 `Redeem(address customer,address brand,uint256 points,bytes32 orderRef,uint256 nonce,
    /// uint256 deadline)` with the customer's next nonce. Checked as ConsentLedger checks signatures: an ECDSA
    /// signature by the customer (low s) first, so that an account with code through EIP-7702 signs with its own
    /// key; failing that, ERC-1271 when the customer has code.
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
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (
            (err != ECDSA.RecoverError.NoError || signer != customer)
                && (customer.code.length == 0
                    || !SignatureChecker.isValidERC1271SignatureNowCalldata(customer, digest, signature))
        ) {
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert SignatureHighS();
            revert InvalidSignature();
        }
        _redeem(customer, brand, points, orderRef);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Also while paused, when a signature cannot be submitted anyway.
    function useNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceUsed(msg.sender, nonce);
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Anyone may call it once `block.timestamp > lastActivity(customer) + expiryPeriod()`; the whole balance
    /// is burnt. Not while paused, so the paused time to add to the stored activity time is `_pausedTotal`.
    function expire(address customer) external whenNotPaused {
        uint256 period = _expiryPeriodInForce();
        if (period == 0) revert ExpiryDisabled();
        Account storage a = _accounts[customer];
        uint256 balance = a.balance;
        if (balance == 0) revert NothingToExpire(customer);
        uint256 expirableAfter = uint256(a.lastActivity) + _pausedTotal + period;
        if (block.timestamp <= expirableAfter) revert NotYetExpirable(customer, expirableAfter);

        a.balance = 0;
        _totalSupply -= uint96(balance);
        emit PointsExpired(customer, balance);
        emit Transfer(customer, address(0), balance);
        _SETTLEMENT.safeTransfer(_expiry.treasury, balance * _UNIT_VALUE);
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
    /// @dev The stored time is on the active clock; adding all the paused time so far gives the real activity
    /// time plus the time paused since, which is at most `block.timestamp` and so fits 40 bits.
    function lastActivity(address customer) external view returns (uint40) {
        uint256 active = _accounts[customer].lastActivity;
        return active == 0 ? 0 : uint40(active + _pausedTime());
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

    /// @inheritdoc ICoalitionPoints
    function expiryPeriod() external view returns (uint40) {
        return _expiryPeriodInForce();
    }

    /// @inheritdoc ICoalitionPoints
    function pendingExpiryPeriod() external view returns (uint40 period, uint40 effectiveAt) {
        ExpirySettings storage e = _expiry;
        if (block.timestamp < e.pendingFrom) return (e.pendingPeriod, e.pendingFrom);
    }

    /// @notice Seconds the contract has spent paused since deployment, the current pause included.
    /// @return The paused time.
    function pausedTime() external view returns (uint256) {
        return _pausedTime();
    }

    /// @inheritdoc ICoalitionPoints
    function tiers() external view returns (uint256[] memory) {
        return _tierThresholds;
    }

    /// @inheritdoc ICoalitionPoints
    /// @dev Counts the thresholds reached by `lifetimeEarned(customer)`: at most MAX_TIERS reads.
    function tierOf(address customer) external view returns (uint8 tier) {
        uint256 earned = _accounts[customer].lifetimeEarned;
        uint256 n = _tierThresholds.length;
        while (tier < n && earned >= _tierThresholds[tier]) ++tier;
    }

    /// @notice Where the backing of expired points goes.
    /// @return The treasury address.
    function treasury() external view returns (address) {
        return _expiry.treasury;
    }

    /// @notice The stored state of a brand's receipt: its customer (zero when unused) and the points still
    /// reversible.
    /// @param brand Issuing brand.
    /// @param receiptId Receipt id.
    /// @return customer The customer it was issued to.
    /// @return remaining Points issued for it not yet reversed.
    function receiptOf(address brand, bytes32 receiptId) external view returns (address customer, uint96 remaining) {
        Receipt storage r = _receipts[brand][receiptId];
        return (r.customer, r.remaining);
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
    /// @param to Recipient; receiving a non-zero amount counts as activity for it.
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
        b.balance = uint240(balance - cost); // below the stored balance
        _totalSupply = uint96(supply);
    }

    /// @dev Credits the backing of `points` (at most MAX_POINTS, so the product fits 256 bits) to a brand balance;
    /// reverts with SafeCast's error rather than wrap when the value or the new balance exceeds 240 bits.
    function _credit(Brand storage b, uint256 points) private {
        uint256 value = SafeCast.toUint240(points * _UNIT_VALUE);
        b.balance = SafeCast.toUint240(b.balance + value);
    }

    /// @dev Records the receipt and credits the customer; supply and brand balance are the caller's business.
    function _mintForReceipt(
        Receipt storage r,
        address brand,
        address customer,
        uint256 points,
        bytes32 receiptId
    ) private {
        r.customer = customer;
        r.remaining = uint96(points);
        Account storage a = _accounts[customer];
        // Each addend and the total supply are bounded by MAX_POINTS (checked in _fund before the transaction
        // ends), so a balance cannot exceed it; the checked uint120 addition guards lifetimeEarned.
        a.balance += uint96(points);
        a.lifetimeEarned += uint120(points);
        a.lastActivity = _activeNow();
        emit PointsIssued(brand, customer, points, receiptId);
        emit Transfer(address(0), customer, points);
    }

    function _redeem(address customer, address brand, uint256 points, bytes32 orderRef) private {
        if (points == 0 || points > MAX_POINTS) revert InvalidPoints(points);
        Brand storage b = _brands[brand];
        if (b.status != BrandStatus.Admitted) revert BrandNotAdmitted(brand);
        if (b.refusesRedemptions) revert RedemptionsNotAccepted(brand);
        Account storage a = _accounts[customer];
        uint256 balance = a.balance;
        if (points > balance) revert ERC20InsufficientBalance(customer, balance, points);
        a.balance = uint96(balance - points);
        a.lastActivity = _activeNow();
        _totalSupply -= uint96(points);
        _credit(b, points);
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
        if (value != 0) dst.lastActivity = _activeNow(); // sending, and receiving nothing, is not activity
        emit Transfer(from, to, value);
    }

    /// @dev Now on the active clock. Only called while not paused, when `_pausedTotal` holds every pause so far:
    /// it is at most the time elapsed since deployment, so the difference is positive and below 2^40.
    function _activeNow() private view returns (uint40) {
        unchecked {
            return uint40(block.timestamp - _pausedTotal);
        }
    }

    /// @dev Seconds spent paused so far, the current pause included.
    function _pausedTime() private view returns (uint256) {
        return paused() ? _pausedTotal + (block.timestamp - _pausedSince) : _pausedTotal;
    }

    function _expiryPeriodInForce() private view returns (uint40) {
        ExpirySettings storage e = _expiry;
        uint256 from = e.pendingFrom;
        return from != 0 && block.timestamp >= from ? e.pendingPeriod : _expiryPeriod;
    }
}
