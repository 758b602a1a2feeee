// Package iam is Trent's core for the subset of AWS IAM and STS that
// manages the account's users: users, their access keys, their inline and
// attached (AWS managed) policies, the authorization of IAM actions, and
// GetCallerIdentity. It knows nothing of HTTP: package iamapi is the Query
// protocol codec that parses a request, calls a [Service] method and
// encodes its answer.
//
// # Caller
//
// Every method reads its caller from the context (identity.From) and the
// connection's condition keys from identity.CallFrom, as the front door
// puts them there. A context without a principal is refused with
// AccessDenied; identity.System, which only in-process code can set, may
// do everything, as the account root may.
//
// # Errors
//
// Every refusal is an [*Error] whose [Kind] is the IAM error code
// (NoSuchEntity, EntityAlreadyExists, DeleteConflict, LimitExceeded,
// ValidationError, InvalidInput, MalformedPolicyDocument, AccessDenied),
// with IAM's message. Any other error is an internal failure.
//
// # Order of checks
//
// Parameters are validated by the codec before a method is called; a
// method then authorizes the caller (AccessDenied) before it looks at the
// entities (NoSuchEntity, EntityAlreadyExists, ...), so that an
// unauthorized caller learns nothing about which users exist.
//
// # Authorization
//
// The account root may do everything. A user may call an IAM action when
// its identity policies (inline and attached) allow iam:<Action> on the
// target user's ARN (arn:aws:iam::<account>:user<path><name>, or
// arn:aws:iam::<account>:user<path-prefix> for ListUsers), as evaluated by
// package policy; AdministratorAccess allows everything. A caller whose
// user was deleted, or replaced by another of the same name, has no
// policies. GetCallerIdentity needs no permission, as in AWS.
//
// # Invariants, on every node
//
// The rules below hold however many servers share the store, because the
// store enforces each of them atomically (see store.IAMStore); this
// package holds no lock:
//
//   - user names are unique regardless of case, as IAM documents, and
//     every action finds a user by its name in any case; answers carry the
//     name as created;
//   - a user, and the account root, may hold two access keys
//     (AccessKeysPerUser); of concurrent CreateAccessKey calls, only those
//     that fit succeed, the others are LimitExceeded;
//   - an access key is created only for a user that exists, and belongs to
//     that user by UserID: of a DeleteUser and a CreateAccessKey racing,
//     one fails (DeleteConflict or NoSuchEntity), and a user created again
//     under a deleted user's name never inherits its keys;
//   - DeleteUser refuses, in this order: a login profile ("must delete
//     login profile first"), access keys ("must delete access keys first"), inline policies ("must delete policies first"),
//     attached policies ("must detach all policies first"), checked in the
//     transaction that deletes.
//
// # Decisions where IAM is ambiguous
//
//   - The account root's GetUser answers UserId (the account ID), Arn and
//     CreateDate (when Trent first answered it), without Path or UserName,
//     as IAM does. The root's access keys are listed without UserName.
//   - The root may delete its first access key after creating another. If
//     it deletes every key it has, the next start issues the first key
//     again with a new secret in the credentials file, as on first start
//     (accesskey.Bootstrap).
//   - A user's inline policies may total 2,048 characters without white
//     space (IAM's quota); a user may have 10 attached policies.
//   - Markers are opaque (base64 of the listing's name and the last item);
//     a marker of another listing, or garbage, is ValidationError.
//   - Tags and PermissionsBoundary of CreateUser are refused
//     (InvalidInput): Trent does not keep them.
package iam
