// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IConsentLedger} from "./interfaces/IConsentLedger.sol";

/// @title ConsentLedger
/// @notice An open, ownerless ledger of customer consents to brands (controllers), per purpose, with
/// delegates, EIP-712 signed actions and a per-controller history hash chain. See docs/consent.md.
/// @dev Storage layout, chosen for the gas floor (docs/gas.md):
/// - one slot per consent record: grantedAt, expiresAt, revokedAt (uint40), categories (uint64) and the
///   revoke-all epoch (uint72) of the (subject, controller) pair at the time of the grant;
/// - per (subject, controller), one "revoke-all state" slot: the epoch, a uint48 counter that `revokeAll`
///   increments (bits 0-47), the "granted since the last revoke-all" bit that `grant` sets and `revokeAll`
///   requires and clears (bit 48), and the times of the first five revoke-alls (5 x uint40 from bit 56). A
///   record whose epoch is not the current one was ended by revoke-all number `record.epoch` (0-based), the one
///   that moved the counter past it. Ordering by a counter, not by time, keeps `multicall([grant, revokeAll])`
///   and `multicall([revokeAll, grant])` right within one block;
/// - per (subject, controller), the times of revoke-alls from the sixth on, six uint40 per archive slot
///   (number `e` in slot `(e - 5) / 6` at bits `40 * ((e - 5) % 6)`), so `consentOf` reports the exact time of
///   the revoke-all that ended a record, while a revoke-all writes one slot, and a fresh one only rarely;
/// - per controller, the history head and length (two slots);
/// - per subject, one slot holding both nonce lanes: `nonces` (Grant, Revoke, RevokeAll signatures, direct
///   revocations, `useNonce`) and `delegateNonces` (SetDelegate signatures, direct `setDelegate`,
///   `useDelegateNonce`), so whichever lane a subject moves first pays for the slot once.
contract ConsentLedger is IConsentLedger, EIP712, Multicall {
    /// @notice EIP-712 type hash of `Grant`.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address subject,address controller,bytes32 purpose,uint64 categories,uint40 expiresAt,"
        "bytes32 noticeHash,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type hash of `Revoke`.
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("Revoke(address subject,address controller,bytes32 purpose,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of `RevokeAll`.
    bytes32 public constant REVOKE_ALL_TYPEHASH =
        keccak256("RevokeAll(address subject,address controller,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of `SetDelegate`.
    bytes32 public constant SET_DELEGATE_TYPEHASH =
        keccak256("SetDelegate(address subject,address delegate,uint40 until,uint256 nonce,uint256 deadline)");

    uint8 private constant _ACTION_GRANT = 1;
    uint8 private constant _ACTION_REVOKE = 2;
    uint8 private constant _ACTION_REVOKE_ALL = 3;
    /// @dev The epoch is a uint48: each revoke-all needs a grant since the previous one, so 2^48 of them are out of
    /// reach, and checked uint48 arithmetic keeps it out of bit 48 anyway. The revoke-all times start at bit 56.
    uint256 private constant _TIMES_SHIFT = 56;
    uint256 private constant _GRANTED_SINCE_REVOKE_ALL = 1 << 48;
    uint256 private constant _INLINE_TIMES = 5;
    uint256 private constant _ARCHIVED_PER_SLOT = 6;

    struct Notice {
        bytes32 noticeHash;
        string noticeURI;
    }

    /// @dev Exactly one storage slot (40 + 40 + 40 + 64 + 72 = 256 bits).
    struct Consent {
        uint40 grantedAt;
        uint40 expiresAt;
        uint40 revokedAt;
        uint64 categories;
        uint72 epoch;
    }

    struct History {
        bytes32 head;
        uint64 length;
    }

    /// @dev Both nonce lanes of a subject, one slot.
    struct NonceLanes {
        uint128 actions;
        uint128 delegates;
    }

    /// @dev Outcome of checking one signature against one digest; `actor` is zero when it authorises nothing.
    struct Verdict {
        address actor;
        address recovered;
        address expiredDelegate;
        uint40 expiredUntil;
        bytes32 highS;
    }

    mapping(address controller => mapping(bytes32 purpose => Notice)) private _notices;
    mapping(address subject => mapping(address controller => mapping(bytes32 purpose => Consent))) private _consents;
    /// @dev uint48 epoch in the low bits, the granted-since-revoke-all bit 48, then from bit 56 the times of
    /// revoke-alls 0..4 (uint40 each).
    mapping(address subject => mapping(address controller => uint256)) private _revokeAllState;
    /// @dev Times of revoke-alls 5, 6, ... packed six per slot.
    mapping(address subject => mapping(address controller => mapping(uint256 slot => uint256))) private
        _revokeAllArchive;
    mapping(address subject => mapping(address delegate => uint40)) private _delegates;
    mapping(address controller => History) private _histories;
    mapping(address subject => NonceLanes) private _nonces;

    constructor() EIP712("Confiance ConsentLedger", "1") {}

    // ----------------------------------------------------------------------------------------------- purposes

    /// @inheritdoc IConsentLedger
    function definePurpose(bytes32 purpose, bytes32 noticeHash, string calldata noticeURI) external {
        if (purpose == bytes32(0)) revert ZeroPurpose();
        if (noticeHash == bytes32(0)) revert ZeroNoticeHash();
        Notice storage notice = _notices[msg.sender][purpose];
        notice.noticeHash = noticeHash;
        notice.noticeURI = noticeURI;
        emit PurposeDefined(msg.sender, purpose, noticeHash, noticeURI);
    }

    /// @inheritdoc IConsentLedger
    function purposeOf(address controller, bytes32 purpose)
        external
        view
        returns (bytes32 noticeHash, string memory noticeURI)
    {
        Notice storage notice = _notices[controller][purpose];
        return (notice.noticeHash, notice.noticeURI);
    }

    // ----------------------------------------------------------------------------------------------- actions

    /// @inheritdoc IConsentLedger
    function grant(address controller, bytes32 purpose, uint64 categories, uint40 expiresAt, bytes32 noticeHash)
        external
    {
        _grant(msg.sender, controller, purpose, categories, expiresAt, noticeHash, msg.sender);
    }

    /// @inheritdoc IConsentLedger
    function grantBySig(
        address subject,
        address controller,
        bytes32 purpose,
        uint64 categories,
        uint40 expiresAt,
        bytes32 noticeHash,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes memory fields =
            abi.encode(GRANT_TYPEHASH, subject, controller, purpose, categories, expiresAt, noticeHash);
        address actor = _authorize(subject, fields, deadline, signature, true);
        _grant(subject, controller, purpose, categories, expiresAt, noticeHash, actor);
    }

    /// @inheritdoc IConsentLedger
    function revoke(address controller, bytes32 purpose) external {
        _revoke(msg.sender, controller, purpose, msg.sender);
        emit NonceUsed(msg.sender, _useNonce(msg.sender));
    }

    /// @inheritdoc IConsentLedger
    function revokeBySig(
        address subject,
        address controller,
        bytes32 purpose,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes memory fields = abi.encode(REVOKE_TYPEHASH, subject, controller, purpose);
        address actor = _authorize(subject, fields, deadline, signature, true);
        _revoke(subject, controller, purpose, actor);
    }

    /// @inheritdoc IConsentLedger
    function revokeAll(address controller) external {
        _revokeAll(msg.sender, controller, msg.sender);
        emit NonceUsed(msg.sender, _useNonce(msg.sender));
    }

    /// @inheritdoc IConsentLedger
    function revokeAllBySig(address subject, address controller, uint256 deadline, bytes calldata signature)
        external
    {
        bytes memory fields = abi.encode(REVOKE_ALL_TYPEHASH, subject, controller);
        address actor = _authorize(subject, fields, deadline, signature, true);
        _revokeAll(subject, controller, actor);
    }

    /// @inheritdoc IConsentLedger
    function setDelegate(address delegate, uint40 until) external {
        _setDelegate(msg.sender, delegate, until);
        emit NonceUsed(msg.sender, _useDelegateNonce(msg.sender));
    }

    /// @inheritdoc IConsentLedger
    /// @dev Only the subject may sign it (directly or through its ERC-1271 wallet): a delegate cannot appoint
    /// delegates nor extend its own delegation.
    function setDelegateBySig(
        address subject,
        address delegate,
        uint40 until,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes memory fields = abi.encode(SET_DELEGATE_TYPEHASH, subject, delegate, until);
        _authorize(subject, fields, deadline, signature, false);
        _setDelegate(subject, delegate, until);
    }

    /// @inheritdoc IConsentLedger
    function useNonce() external {
        emit NonceUsed(msg.sender, _useNonce(msg.sender));
    }

    /// @inheritdoc IConsentLedger
    function useDelegateNonce() external {
        emit NonceUsed(msg.sender, _useDelegateNonce(msg.sender));
    }

    /// @inheritdoc IConsentLedger
    /// @dev Each call is a delegatecall to this contract, as in `multicall`: it runs with the original
    /// `msg.sender`, and a revert undoes that call's changes only. The loop is bounded by the caller's calldata.
    function tryMulticall(bytes[] calldata data) external returns (bool[] memory success, bytes[] memory results) {
        success = new bool[](data.length);
        results = new bytes[](data.length);
        for (uint256 i = 0; i < data.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (success[i], results[i]) = address(this).delegatecall(data[i]);
            if (!success[i]) emit BatchCallFailed(i, results[i]);
        }
    }

    // ----------------------------------------------------------------------------------------------- views

    /// @inheritdoc IConsentLedger
    function isGranted(address subject, address controller, bytes32 purpose) external view returns (bool) {
        return _isActive(_consents[subject][controller][purpose], _epochOf(_revokeAllState[subject][controller]));
    }

    /// @inheritdoc IConsentLedger
    /// @dev `grantedAt` is the time of the latest grant (a re-grant renews it). A record ended by a revoke-all
    /// reports that revoke-all's time as `revokedAt`, unless it had expired before it (then 0: expiry ended it).
    function consentOf(address subject, address controller, bytes32 purpose)
        external
        view
        returns (uint40 grantedAt, uint40 expiresAt, uint40 revokedAt, uint64 categories, bool active)
    {
        Consent memory c = _consents[subject][controller][purpose];
        uint256 state = _revokeAllState[subject][controller];
        uint48 epoch = _epochOf(state);
        revokedAt = c.revokedAt;
        if (c.grantedAt != 0 && revokedAt == 0 && c.epoch != epoch) {
            uint40 endedAt = _revokeAllTime(subject, controller, state, c.epoch);
            if (c.expiresAt == 0 || endedAt < c.expiresAt) revokedAt = endedAt;
        }
        return (c.grantedAt, c.expiresAt, revokedAt, c.categories, _isActive(c, epoch));
    }

    /// @inheritdoc IConsentLedger
    /// @dev The stored value, even when it has passed; a delegate is live while `block.timestamp <= until`.
    function delegateUntil(address subject, address delegate) external view returns (uint40) {
        return _delegates[subject][delegate];
    }

    /// @inheritdoc IConsentLedger
    function historyHead(address controller) external view returns (bytes32 head, uint64 length) {
        History storage history = _histories[controller];
        return (history.head, history.length);
    }

    /// @inheritdoc IConsentLedger
    function nonces(address subject) external view returns (uint256) {
        return _nonces[subject].actions;
    }

    /// @inheritdoc IConsentLedger
    function delegateNonces(address subject) external view returns (uint256) {
        return _nonces[subject].delegates;
    }

    /// @notice The EIP-712 domain separator of this deployment (name, version, chain id, address).
    /// @return The separator signed messages are hashed under.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ----------------------------------------------------------------------------------------------- internals

    function _grant(
        address subject,
        address controller,
        bytes32 purpose,
        uint64 categories,
        uint40 expiresAt,
        bytes32 noticeHash,
        address actor
    ) private {
        bytes32 current = _notices[controller][purpose].noticeHash;
        if (current == bytes32(0)) revert PurposeNotDefined(controller, purpose);
        if (noticeHash != current) revert StaleNotice(controller, purpose, current, noticeHash);
        if (categories == 0) revert EmptyCategories();
        uint40 now_ = uint40(block.timestamp);
        if (expiresAt != 0 && expiresAt <= now_) revert ExpiryNotInFuture(expiresAt, now_);

        uint256 state = _revokeAllState[subject][controller];
        if (state & _GRANTED_SINCE_REVOKE_ALL == 0) {
            _revokeAllState[subject][controller] = state | _GRANTED_SINCE_REVOKE_ALL;
        }
        _consents[subject][controller][purpose] = Consent({
            grantedAt: now_,
            expiresAt: expiresAt,
            revokedAt: 0,
            categories: categories,
            epoch: _epochOf(state)
        });
        (uint64 seq, bytes32 head) =
            _append(controller, _ACTION_GRANT, subject, purpose, categories, expiresAt, noticeHash, actor);
        emit ConsentGranted(subject, controller, purpose, categories, expiresAt, noticeHash, actor, seq, head);
    }

    function _revoke(address subject, address controller, bytes32 purpose, address actor) private {
        Consent storage c = _consents[subject][controller][purpose];
        if (!_isActive(c, _epochOf(_revokeAllState[subject][controller]))) {
            revert ConsentNotActive(subject, controller, purpose);
        }
        c.revokedAt = uint40(block.timestamp);
        (uint64 seq, bytes32 head) = _append(controller, _ACTION_REVOKE, subject, purpose, 0, 0, bytes32(0), actor);
        emit ConsentRevoked(subject, controller, purpose, actor, seq, head);
    }

    function _revokeAll(address subject, address controller, address actor) private {
        uint256 state = _revokeAllState[subject][controller];
        if (state & _GRANTED_SINCE_REVOKE_ALL == 0) revert NothingToRevoke();
        uint48 epoch = _epochOf(state);
        uint48 next = epoch + 1; // checked: the counter can never spill into the bit and the time fields
        if (epoch < _INLINE_TIMES) {
            state |= block.timestamp << (_TIMES_SHIFT + 40 * epoch);
        } else {
            uint256 e = epoch - _INLINE_TIMES;
            _revokeAllArchive[subject][controller][e / _ARCHIVED_PER_SLOT] |=
                block.timestamp << (40 * (e % _ARCHIVED_PER_SLOT));
        }
        // clears the epoch and the granted-since bit (bits 0-55), keeps the times
        _revokeAllState[subject][controller] = (state & ~uint256(type(uint56).max)) | next;
        (uint64 seq, bytes32 head) =
            _append(controller, _ACTION_REVOKE_ALL, subject, bytes32(0), 0, 0, bytes32(0), actor);
        emit AllConsentsRevoked(subject, controller, actor, seq, head);
    }

    function _setDelegate(address subject, address delegate, uint40 until) private {
        if (delegate == address(0) || delegate == subject) revert InvalidDelegate(delegate);
        if (until != 0 && until < block.timestamp) revert DelegateUntilInPast(until, uint40(block.timestamp));
        _delegates[subject][delegate] = until;
        emit DelegateSet(subject, delegate, until);
    }

    /// @dev Consumes and returns the subject's next nonce of the action lane.
    function _useNonce(address subject) private returns (uint256) {
        // A nonce moves by one per action, each paid for by a transaction: 2^128 is out of reach.
        unchecked {
            return _nonces[subject].actions++;
        }
    }

    /// @dev Consumes and returns the subject's next nonce of the delegate lane.
    function _useDelegateNonce(address subject) private returns (uint256) {
        // As in `_useNonce`: 2^128 is out of reach.
        unchecked {
            return _nonces[subject].delegates++;
        }
    }

    /// @dev Extends the controller's history chain by one link and returns its 1-based position and new head.
    function _append(
        address controller,
        uint8 action,
        address subject,
        bytes32 purpose,
        uint64 categories,
        uint40 expiresAt,
        bytes32 noticeHash,
        address actor
    ) private returns (uint64 seq, bytes32 head) {
        History storage history = _histories[controller];
        head = keccak256(
            abi.encode(
                history.head,
                action,
                subject,
                purpose,
                categories,
                expiresAt,
                noticeHash,
                actor,
                uint40(block.timestamp)
            )
        );
        seq = history.length + 1;
        history.head = head;
        history.length = seq;
    }

    function _epochOf(uint256 revokeAllState) private pure returns (uint48) {
        return uint48(revokeAllState);
    }

    /// @dev The time of revoke-all number `epoch` (0-based) of `subject` towards `controller`.
    function _revokeAllTime(address subject, address controller, uint256 state, uint72 epoch)
        private
        view
        returns (uint40)
    {
        if (epoch < _INLINE_TIMES) return uint40(state >> (_TIMES_SHIFT + 40 * epoch));
        uint256 e = epoch - _INLINE_TIMES;
        uint256 packed = _revokeAllArchive[subject][controller][e / _ARCHIVED_PER_SLOT];
        return uint40(packed >> (40 * (e % _ARCHIVED_PER_SLOT)));
    }

    function _isActive(Consent memory c, uint48 epoch) private view returns (bool) {
        return c.grantedAt != 0 && c.revokedAt == 0 && c.epoch == epoch
            && (c.expiresAt == 0 || block.timestamp < c.expiresAt);
    }

    /// @dev Checks deadline and signature, consumes the subject's nonce and returns the signer (the actor).
    /// `fields` is `abi.encode(TYPEHASH, <fields before nonce>)`: every field is static, so appending nonce and
    /// deadline gives the EIP-712 struct encoding. `allowDelegates` is false for SetDelegate only, which is
    /// signed by the subject alone and uses the delegate lane. The diagnosis below runs on the failure path only.
    function _authorize(
        address subject,
        bytes memory fields,
        uint256 deadline,
        bytes calldata signature,
        bool allowDelegates
    ) private returns (address) {
        if (block.timestamp > deadline) revert ExpiredSignature(deadline);
        uint256 nonce = allowDelegates ? _useNonce(subject) : _useDelegateNonce(subject);
        Verdict memory v = _check(subject, _digest(fields, nonce, deadline), signature, allowDelegates);
        if (v.actor != address(0)) return v.actor;

        if (v.highS != bytes32(0)) revert MalleableSignature(v.highS);
        if (v.expiredDelegate != address(0)) revert DelegateExpired(subject, v.expiredDelegate, v.expiredUntil);
        if (nonce != 0 && _check(subject, _digest(fields, nonce - 1, deadline), signature, allowDelegates).actor
                != address(0)) {
            revert NonceAlreadyUsed(subject, nonce - 1);
        }
        if (_check(subject, _digest(fields, nonce + 1, deadline), signature, allowDelegates).actor != address(0)) {
            revert NonceNotYetValid(subject, nonce + 1);
        }
        revert InvalidSigner(subject, v.recovered);
    }

    function _digest(bytes memory fields, uint256 nonce, uint256 deadline) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encodePacked(fields, nonce, deadline)));
    }

    /// @dev Who, if anyone, `signature` authorises to act for `subject` on `digest`. Accepted, in this order:
    /// a 65-byte ECDSA signature by the subject or (if allowed) a live delegate; an ERC-1271 signature of a
    /// subject contract; (if allowed) `abi.encodePacked(delegate, innerSignature)` with `delegate` a live
    /// delegate contract accepting `innerSignature` under ERC-1271. Never reverts.
    function _check(address subject, bytes32 digest, bytes calldata signature, bool allowDelegates)
        private
        view
        returns (Verdict memory v)
    {
        if (signature.length == 65) {
            (address signer, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecoverCalldata(digest, signature);
            if (err == ECDSA.RecoverError.InvalidSignatureS) {
                v.highS = errArg;
            } else if (err == ECDSA.RecoverError.NoError) {
                v.recovered = signer;
                if (signer == subject) {
                    v.actor = subject;
                    return v;
                }
                if (allowDelegates && _acceptDelegate(subject, signer, v)) return v;
            }
        }
        if (subject.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(subject, digest, signature))
        {
            v.actor = subject;
            return v;
        }
        if (allowDelegates && signature.length > 20) {
            address delegate = address(bytes20(signature[:20]));
            if (
                _delegates[subject][delegate] != 0 && delegate.code.length != 0
                    && SignatureChecker.isValidERC1271SignatureNowCalldata(delegate, digest, signature[20:])
            ) {
                _acceptDelegate(subject, delegate, v);
            }
        }
    }

    /// @dev Sets `v.actor` when `delegate` is a live delegate of `subject`; notes it in `v` when it has expired.
    function _acceptDelegate(address subject, address delegate, Verdict memory v) private view returns (bool) {
        uint40 until = _delegates[subject][delegate];
        if (until == 0) return false;
        if (block.timestamp <= until) {
            v.actor = delegate;
            return true;
        }
        v.expiredDelegate = delegate;
        v.expiredUntil = until;
        return false;
    }
}
