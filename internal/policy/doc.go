// Package policy authorises KMS requests exactly as AWS KMS does: it parses
// and validates key policies and IAM identity policies, evaluates them
// against a request, and combines them with grants. It is pure: no I/O, no
// clock (the caller passes the request time), standard library only.
//
// # Sections
//
// Use, Documents, Evaluation, Combining, Conditions, Grants, Messages,
// Decisions where AWS is ambiguous, Performance.
//
// # Use
//
// Parse a document once when it is stored (Parse returns a *MalformedError
// to send back) and keep the *Policy; on every request build a Request
// (Request.Set for condition keys such as aws:SourceIp and
// aws:SecureTransport, Request.SetEncryptionContext for the encryption
// context, Request.Time for aws:CurrentTime) and call Authorize; on a
// denial send DeniedMessage as AccessDeniedException.
// Before storing a key policy, check LocksOut (unless the caller set
// BypassPolicyLockoutSafetyCheck) and that every name of Principals exists.
//
// # Documents
//
// Version is 2012-10-17 or 2008-10-17 (the meaning of an absent Version);
// policy variables are expanded only under 2012-10-17. Statement is one
// object or an array. Element names are case-sensitive, and unknown or
// duplicate elements, and duplicate Sids, are refused. A key policy
// statement must name a Principal or NotPrincipal: "*", {"AWS": "*"}, an
// account ID or arn:aws:iam::<account>:root (the account principal), user,
// role, assumed-role and federated-user ARNs, or {"Service": ...}; a
// wildcard inside a principal is invalid. An identity policy must not name
// one. Actions are "*" or "<service>:<name>" with * and ? wildcards,
// matched case-insensitively; resources are matched case-sensitively, field
// by field for ARNs. A key policy statement without Action or Resource is
// accepted and never applies, as the PutKeyPolicy documentation says; an
// identity policy needs both. Documents over MaxSize are refused.
//
// # Evaluation
//
// A statement applies when its Action (or NotAction), Resource (or
// NotResource), Principal (or NotPrincipal) and every condition match. A
// Deny that applies wins; otherwise an Allow that applies allows; otherwise
// the request is implicitly denied. Evaluate does this for one policy.
//
// # Combining
//
// Authorize follows AWS KMS: the key policy must allow the caller, directly
// or by allowing the caller's account principal, which delegates to the
// caller's identity policies; identity policies alone can deny but never
// allow access to a key; grants allow their operations to their grantee; an
// explicit Deny anywhere wins. Actions without a key are decided by identity
// policies alone; the account root user may do them all.
//
// # Conditions
//
// All IAM operators: String*, Numeric*, Date* (W3C ISO 8601 forms and epoch
// seconds), Bool, BinaryEquals, IpAddress/NotIpAddress (CIDR, IPv4 and
// IPv6), Arn*, Null, each with ...IfExists (but Null) and the ForAnyValue: /
// ForAllValues: set operators. Operators and keys are ANDed, the values of
// one key ORed, NORed for a negated operator. A missing key makes a positive
// operator false and a negated one true, ...IfExists true, ForAllValues true
// and ForAnyValue false. Condition keys, kms:EncryptionContext:<key>
// included, are case-insensitive; values compare as the operator says.
// Policy variables (${aws:username}, ${aws:PrincipalArn}, any single-valued
// key, ${key, 'default'}, ${*} ${?} ${$}) work in Resource and in String,
// Arn and Bool values; an unresolvable one makes its statement not apply.
//
// # Grants
//
// A grant allows "kms:<op>" for the operations it lists (GrantOperations)
// to its grantee. Its EncryptionContextEquals / EncryptionContextSubset
// constraints apply to the operations that take an encryption context, with
// keys compared case-insensitively and values exactly (the KMS API
// reference); not to DescribeKey, RetireGrant or CreateGrant. A grant's
// CreateGrant allows only children as strict as itself (Grant.Permits).
//
// # Messages
//
// MalformedError messages known to be AWS's own: "Policy contains a
// statement with one or more invalid principals.", "Policy contains a
// statement with no principal.", the OverlyPermissiveCondition message for
// ForAllValues with kms:EncryptionContext:* (KMS); "Syntax errors in
// policy.", "Policy document should not specify a principal.", "Policy
// statement must contain actions.", "... resources.", "Actions/Condition can
// contain only one colon.", the vendor-prefix, Sid and ARN-format messages
// (IAM). The others follow their style. Over-size documents report
// LimitExceededException, as the KMS API reference says. DeniedMessage
// gives the "User: ... is not authorized to perform: ..." forms.
//
// # Decisions where AWS is ambiguous
//
//   - Implicit-deny wording: when the key policy allows the caller or its
//     account but no identity policy allows, "because no identity-based
//     policy allows"; when it allows neither, "no resource-based policy".
//     When both a key policy and an identity policy deny, the key policy is
//     named.
//   - NotPrincipal: AWS "might" check a user's account before the user. A
//     Deny with NotPrincipal therefore spares a user only when both the user
//     and its account are listed; an Allow with NotPrincipal excludes a user
//     when either is listed.
//   - A condition operator without a set operator on a multi-valued key
//     holds, if positive, when any request value matches; if negated, when
//     none does.
//   - Principal ARNs compare ASCII case-insensitively (IAM names are unique
//     regardless of case); resources and condition values as AWS says.
//   - A grant to an account principal allows the account's other
//     principals only with an identity policy allowing the action.
//   - Invalid Numeric, Date, IpAddress, Bool and Null values in a policy,
//     and unknown operators, are refused at Parse rather than never
//     matching; unknown condition keys are accepted.
//   - Resource patterns of fewer than six ARN fields match the rest of the
//     resource as one wildcard pattern ("arn:aws:kms:*" matches any key).
//   - The lockout check counts a delegation to the caller's account as
//     allowing PutKeyPolicy, without consulting identity policies.
//   - MaxSize counts bytes of the document as sent, for both kinds.
//   - The character set of key policies (tab, LF, CR, U+0020–U+00FF) is the
//     API model's pattern for the Policy member and is the API layer's to
//     check (ValidationException); Parse only refuses NUL.
//
// # Performance
//
// Parse compiles everything evaluation needs: lower-cased actions and
// condition keys, parsed numbers, dates and CIDR blocks, policy-variable
// templates. Authorize on a parsed policy does not allocate unless a policy
// variable must be expanded or a string operator reads a key derived from
// Request.Time. Context keys should be lower case; another case is found by
// a slower scan. BenchmarkAuthorizeRealistic measures a five-statement key
// policy.
package policy
