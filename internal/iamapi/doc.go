// Package iamapi is Trent's front end for the subset of AWS IAM and STS that
// manages the account's users: their access keys and their identity
// policies. It speaks the AWS Query protocol, so the stock AWS CLI and SDKs
// work against it with --endpoint-url.
//
// # Protocol
//
// Every call is POST / with Content-Type application/x-www-form-urlencoded
// and a body such as Action=CreateUser&Version=2010-05-08&UserName=bob,
// signed with SigV4 for the service "iam" (region us-east-1, where IAM
// lives, or the server's region, which clients pointed at a custom endpoint
// sign with) or "sts" (the server's region, or us-east-1). Answers are XML
// as IAM and STS send them:
//
//	<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
//	  <CreateUserResult><User>...</User></CreateUserResult>
//	  <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
//	</CreateUserResponse>
//
// and errors are <ErrorResponse><Error><Type/><Code/><Message/></Error>
// <RequestId/></ErrorResponse> with IAM's HTTP status for the code
// (errors.go). IsQueryRequest tells the server which requests are for this
// handler; Route combines it with the KMS handler.
//
// # Actions
//
// IAM: CreateUser, GetUser, ListUsers, DeleteUser; CreateAccessKey,
// ListAccessKeys, UpdateAccessKey, DeleteAccessKey; AttachUserPolicy,
// DetachUserPolicy, ListAttachedUserPolicies (the AWS managed policies
// package policy ships: AdministratorAccess and
// AWSKeyManagementServicePowerUser, with AWS's documents); PutUserPolicy, GetUserPolicy, DeleteUserPolicy,
// ListUserPolicies. STS: GetCallerIdentity. Any other action is
// InvalidAction.
//
// # Order of checks
//
// Body size, form syntax, Action and Version, then the signature, then the
// parameters (ValidationError), then authorization (AccessDenied), then
// the entities (NoSuchEntity, EntityAlreadyExists, ...). Unsigned callers
// learn nothing about their parameters; unauthorized callers learn nothing
// about which users exist.
//
// # Authorization
//
// The account root may do everything. A user may call an IAM action when
// its identity policies (inline and attached) allow iam:<Action> on the
// target user's ARN (arn:aws:iam::<account>:user<path><name>, or
// arn:aws:iam::<account>:user<path-prefix> for ListUsers), as evaluated by
// package policy; AdministratorAccess allows everything.
// GetCallerIdentity needs no permission, as in AWS.
//
// # Decisions where IAM is ambiguous
//
//   - User names are unique regardless of case, as IAM documents, and
//     every action finds a user by its name in any case; answers carry the
//     name as created.
//   - The account root's GetUser answers UserId (the account ID), Arn and
//     CreateDate (when Trent first answered it), without Path or UserName,
//     as IAM does. The root's access keys are listed without UserName.
//   - The root may hold two access keys, as users may, and may delete its
//     first one after creating another. If it deletes every key it has, the
//     next start issues the first key again with a new secret in the
//     credentials file, as on first start (accesskey.Bootstrap).
//   - DeleteUser refuses, in this order: access keys ("must delete access
//     keys first"), inline policies ("must delete policies first"),
//     attached policies ("must detach all policies first").
//   - A user's inline policies may total 2,048 characters without white
//     space (IAM's quota); a user may have 10 attached policies.
//   - Markers are opaque (base64 of the listing's name and the last item);
//     a marker of another listing, or garbage, is ValidationError.
//   - Tags and PermissionsBoundary of CreateUser are refused
//     (InvalidInput): Trent does not keep them.
//   - Mutating actions are serialised in the process, which makes the
//     case-insensitive name check, the key quota and DeleteUser's checks
//     atomic on one server.
package iamapi
