// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IConsentLedger
/// @notice Customer-controlled consent: grants, revocations and delegates per (subject, controller, purpose),
/// with a per-controller hash chain over every consent action so that an export of a controller's history
/// can be checked against one on-chain value. No personal data: subjects are addresses, the rest are hashes.
interface IConsentLedger {
    /// @notice `definePurpose` with the zero purpose id.
    error ZeroPurpose();
    /// @notice `definePurpose` with the zero notice hash (the zero hash means "undefined").
    error ZeroNoticeHash();
    /// @notice A grant names a purpose its controller never defined.
    error PurposeNotDefined(address controller, bytes32 purpose);
    /// @notice A grant names a notice other than the controller's current one for that purpose.
    error StaleNotice(address controller, bytes32 purpose, bytes32 currentNoticeHash, bytes32 givenNoticeHash);
    /// @notice A grant with no data category: a consent must cover at least one category.
    error EmptyCategories();
    /// @notice A grant whose (non-zero) `expiresAt` is not after the current block time.
    error ExpiryNotInFuture(uint40 expiresAt, uint40 blockTime);
    /// @notice A revocation of a consent that is not active (never granted, revoked, or expired).
    error ConsentNotActive(address subject, address controller, bytes32 purpose);
    /// @notice A revoke-all by a subject that granted the controller nothing since its last revoke-all (or ever):
    /// it would change nothing, and the controller's history only records changes.
    error NothingToRevoke();
    /// @notice `setDelegate` with the zero address or the subject itself as delegate.
    error InvalidDelegate(address delegate);
    /// @notice `setDelegate` with a non-zero `until` before the current block time.
    error DelegateUntilInPast(uint40 until, uint40 blockTime);
    /// @notice A by-signature action submitted after its `deadline`.
    error ExpiredSignature(uint256 deadline);
    /// @notice A 65-byte signature whose `s` is in the upper half of the curve order (malleable form).
    error MalleableSignature(bytes32 s);
    /// @notice The signature is a delegate's, but the delegation ended at `until`.
    error DelegateExpired(address subject, address delegate, uint40 until);
    /// @notice The signature is valid for the subject's previous nonce on its lane (`nonces`, or `delegateNonces`
    /// for SetDelegate): a replay, or a signature cancelled by a direct action or `useNonce`/`useDelegateNonce`.
    error NonceAlreadyUsed(address subject, uint256 nonce);
    /// @notice The signature is valid for the subject's next nonce on its lane: another signed action (or nonce
    /// use) must come first.
    error NonceNotYetValid(address subject, uint256 nonce);
    /// @notice The signature is not the subject's nor a live delegate's for this exact message (fields, nonce,
    /// chain, contract); `signer` is the address an ECDSA signature recovered to, zero when none.
    error InvalidSigner(address subject, address signer);

    /// @notice A controller published (a new version of) the notice of one of its purposes.
    event PurposeDefined(address indexed controller, bytes32 indexed purpose, bytes32 noticeHash, string noticeURI);

    /// @notice A consent was granted or its grant updated; `seq` and `head` are the controller's history after it.
    event ConsentGranted(
        address indexed subject,
        address indexed controller,
        bytes32 indexed purpose,
        uint64 categories,
        uint40 expiresAt,
        bytes32 noticeHash,
        address actor,
        uint64 seq,
        bytes32 head
    );

    /// @notice One consent was revoked.
    event ConsentRevoked(
        address indexed subject,
        address indexed controller,
        bytes32 indexed purpose,
        address actor,
        uint64 seq,
        bytes32 head
    );

    /// @notice Every consent of `subject` towards `controller` granted before this action was revoked.
    event AllConsentsRevoked(
        address indexed subject,
        address indexed controller,
        address actor,
        uint64 seq,
        bytes32 head
    );

    /// @notice `delegate` may sign for `subject` until `until` (0: removed).
    event DelegateSet(address indexed subject, address indexed delegate, uint40 until);

    /// @notice A direct action of `subject` consumed its `nonce`, cancelling any signature that carries it: a direct
    /// `revoke`, `revokeAll` or `useNonce` (lane `nonces`), or a direct `setDelegate` or `useDelegateNonce` (lane
    /// `delegateNonces`). Signed actions consume their nonce without this event.
    event NonceUsed(address indexed subject, uint256 nonce);

    /// @notice Call number `index` (0-based) of a `tryMulticall` reverted with `reason` (its raw revert data, a
    /// custom error of this contract for example); its changes were undone, the other calls stand.
    event BatchCallFailed(uint256 indexed index, bytes reason);

    /// @notice Publishes the notice of `purpose` for the caller (the controller); a new call is a new version.
    /// @param purpose Purpose id, by convention keccak256 of a short name; not zero.
    /// @param noticeHash Hash of the notice text the customer reads; not zero. Grants must name it.
    /// @param noticeURI Where the notice can be read.
    function definePurpose(bytes32 purpose, bytes32 noticeHash, string calldata noticeURI) external;

    /// @notice The current notice of a controller's purpose (zero hash when undefined).
    /// @param controller The brand that defined the purpose.
    /// @param purpose Purpose id.
    /// @return noticeHash Current notice hash (zero: undefined).
    /// @return noticeURI Current notice URI.
    function purposeOf(address controller, bytes32 purpose)
        external
        view
        returns (bytes32 noticeHash, string memory noticeURI);

    /// @notice The caller grants `controller` the use of `categories` for `purpose` until `expiresAt` (0: no expiry).
    /// @dev Re-granting replaces the record (categories, expiry, grant time). Reverts with PurposeNotDefined,
    /// StaleNotice, EmptyCategories or ExpiryNotInFuture.
    /// @param controller The brand receiving the consent.
    /// @param purpose Purpose id, defined by `controller`.
    /// @param categories Bitmap of data categories (docs/consent.md); not zero.
    /// @param expiresAt Unix time the consent ends at, 0 for none; otherwise after the current block time.
    /// @param noticeHash The controller's current notice hash for `purpose`.
    function grant(address controller, bytes32 purpose, uint64 categories, uint40 expiresAt, bytes32 noticeHash)
        external;

    /// @notice As `grant`, authorised by an EIP-712 `Grant` signature of `subject` or of one of its live delegates.
    /// @param subject The customer the consent is for.
    /// @param deadline Last unix time (inclusive) the signature may be used at.
    /// @param signature 65-byte ECDSA, ERC-1271 data of a subject contract, or a contract delegate's address
    /// followed by its ERC-1271 signature (docs/consent.md).
    function grantBySig(
        address subject,
        address controller,
        bytes32 purpose,
        uint64 categories,
        uint40 expiresAt,
        bytes32 noticeHash,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The caller revokes its consent to `controller` for `purpose`, and consumes its next nonce
    /// (`nonces`, emitting NonceUsed): every signature it or its delegates handed out and that is not yet submitted
    /// stops working, so a revocation cannot be undone by a stale signed grant.
    /// @dev Reverts with ConsentNotActive when there is nothing active to revoke (then no nonce is consumed).
    /// @param controller The brand.
    /// @param purpose Purpose id.
    function revoke(address controller, bytes32 purpose) external;

    /// @notice As `revoke`, authorised by an EIP-712 `Revoke` signature.
    /// @param subject The customer.
    /// @param deadline Last unix time (inclusive) the signature may be used at.
    /// @param signature As for `grantBySig`.
    function revokeBySig(
        address subject,
        address controller,
        bytes32 purpose,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The caller revokes every consent it gave `controller`, in constant time, and consumes its next nonce
    /// as `revoke` does.
    /// @dev Reverts with NothingToRevoke unless the caller granted `controller` something since its last revoke-all
    /// (whether that consent is still active or not).
    /// @param controller The brand; consents to other brands are untouched.
    function revokeAll(address controller) external;

    /// @notice As `revokeAll` (NothingToRevoke included), authorised by an EIP-712 `RevokeAll` signature.
    /// @param subject The customer.
    /// @param deadline Last unix time (inclusive) the signature may be used at.
    /// @param signature As for `grantBySig`.
    function revokeAllBySig(address subject, address controller, uint256 deadline, bytes calldata signature)
        external;

    /// @notice The caller lets `delegate` sign grants and revocations for it until `until` (0 removes it), and
    /// consumes its next delegate nonce (`delegateNonces`, emitting NonceUsed): a SetDelegate signature handed out
    /// before cannot undo this change.
    /// @param delegate Not zero, not the caller.
    /// @param until Last unix time (inclusive) the delegate is live; 0 removes it; otherwise not in the past.
    function setDelegate(address delegate, uint40 until) external;

    /// @notice As `setDelegate`, authorised by an EIP-712 `SetDelegate` signature whose `nonce` is the subject's
    /// `delegateNonces`, a lane only the subject moves (a delegate cannot block its own removal).
    /// @param subject The customer; only the subject (or its ERC-1271 wallet) may sign, never a delegate.
    /// @param delegate Not zero, not the subject.
    /// @param until As for `setDelegate`.
    /// @param deadline Last unix time (inclusive) the signature may be used at.
    /// @param signature 65-byte ECDSA or ERC-1271 data of a subject contract.
    function setDelegateBySig(
        address subject,
        address delegate,
        uint40 until,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The caller consumes its next nonce (`nonces`), cancelling the Grant, Revoke or RevokeAll signature
    /// that carries it, whoever signed it (the caller or a delegate). Emits NonceUsed.
    function useNonce() external;

    /// @notice The caller consumes its next delegate nonce (`delegateNonces`), cancelling the SetDelegate signature
    /// that carries it. Emits NonceUsed.
    function useDelegateNonce() external;

    /// @notice Runs `data` as calls to this contract, in order, each with the caller as `msg.sender` (as
    /// `multicall`), but a call that reverts does not revert the batch: its changes are undone, it is reported
    /// with BatchCallFailed, and the other calls stand. `multicall` stays all-or-nothing.
    /// @param data ABI-encoded calls of this contract's functions.
    /// @return success Whether each call succeeded.
    /// @return results What each call returned, or its revert data when it failed.
    function tryMulticall(bytes[] calldata data) external returns (bool[] memory success, bytes[] memory results);

    /// @notice Whether the consent is granted, not revoked (singly or by a later revoke-all) and not expired.
    /// @param subject The customer.
    /// @param controller The brand.
    /// @param purpose Purpose id.
    /// @return True when the consent is active now.
    function isGranted(address subject, address controller, bytes32 purpose) external view returns (bool);

    /// @notice The consent record; `revokedAt` is the time of the revocation (single or revoke-all) that ended it.
    /// @param subject The customer.
    /// @param controller The brand.
    /// @param purpose Purpose id.
    /// @return grantedAt Time of the latest grant (0: never granted).
    /// @return expiresAt Expiry of that grant (0: none).
    /// @return revokedAt Time of the revocation that ended it (0: not ended by a revocation).
    /// @return categories Categories of that grant.
    /// @return active Same as `isGranted`.
    function consentOf(address subject, address controller, bytes32 purpose)
        external
        view
        returns (uint40 grantedAt, uint40 expiresAt, uint40 revokedAt, uint64 categories, bool active);

    /// @notice Until when `delegate` may sign for `subject` (0: not a delegate).
    /// @param subject The customer.
    /// @param delegate The delegate.
    /// @return The stored `until`, also once passed; live while block.timestamp <= until.
    function delegateUntil(address subject, address delegate) external view returns (uint40);

    /// @notice The head of the controller's history hash chain and the number of actions in it.
    /// @param controller The brand.
    /// @return head keccak256 chain over every grant, revocation and revoke-all (docs/consent.md).
    /// @return length Number of actions in the chain.
    function historyHead(address controller) external view returns (bytes32 head, uint64 length);

    /// @notice The next EIP-712 nonce of `subject` for Grant, Revoke and RevokeAll, shared by every signer (the
    /// subject and its delegates); direct revocations and `useNonce` consume it too.
    /// @param subject The customer.
    /// @return The nonce the next Grant, Revoke or RevokeAll signature of `subject` must carry.
    function nonces(address subject) external view returns (uint256);

    /// @notice The next EIP-712 nonce of `subject` for SetDelegate; moved only by the subject (its SetDelegate
    /// signatures, its direct `setDelegate`, `useDelegateNonce`).
    /// @param subject The customer.
    /// @return The nonce the next SetDelegate signature of `subject` must carry.
    function delegateNonces(address subject) external view returns (uint256);
}
