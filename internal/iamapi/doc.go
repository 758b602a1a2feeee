// Package iamapi is the AWS Query protocol codec of Trent's IAM and STS
// front end: it parses a request's parameters, calls package iam (the
// core, which holds the business rules, the authorization of IAM actions
// and their invariants) and encodes the answer as IAM and STS send it. The
// stock AWS CLI and SDKs work against it with --endpoint-url.
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
// <RequestId/></ErrorResponse> with IAM's HTTP status for the code. One
// table (statusOf, errors.go) gives the status of every code: the
// protocol's own (InvalidAction, MalformedQueryString, the signature
// codes, ...) and those of the core's refusals, whose iam.Kind is the
// code. IsQueryRequest tells the server which requests are for this
// handler.
//
// # Actions
//
// IAM: CreateUser, GetUser, ListUsers, DeleteUser; CreateAccessKey,
// ListAccessKeys, UpdateAccessKey, DeleteAccessKey; AttachUserPolicy,
// DetachUserPolicy, ListAttachedUserPolicies (the AWS managed policies
// package policy ships: AdministratorAccess and
// AWSKeyManagementServicePowerUser, with AWS's documents); PutUserPolicy,
// GetUserPolicy, DeleteUserPolicy, ListUserPolicies. STS:
// GetCallerIdentity. Any other action is InvalidAction.
//
// # Order of checks
//
// Body size, form syntax, Action and Version, then the signature, then the
// parameters (ValidationError, here: the model's lengths, patterns and
// enums), then authorization (AccessDenied) and the entities
// (NoSuchEntity, EntityAlreadyExists, ...) in package iam. Unsigned
// callers learn nothing about their parameters; unauthorized callers learn
// nothing about which users exist.
//
// The rules users and access keys obey, and the decisions taken where IAM
// is ambiguous, are package iam's; it holds no lock, and neither does this
// package: the store keeps the invariants on every node.
package iamapi
