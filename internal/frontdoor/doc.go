// Package frontdoor is Trent's one HTTP front door: a route table and the
// one request pipeline every route runs through, whatever its protocol.
//
// # Routes
//
// A Route names how requests it matches are spoken and trusted: its
// Protocol (the codec: AWS JSON 1.1 for KMS, the AWS Query protocol for IAM
// and STS, plain JSON for probes, and in later rounds the console and the
// XKS proxy), its Authenticator (SigV4 for a set of signing services, or
// the explicit Unauthenticated), its body limit and its timeout, and
// whether its requests are audited and counted. Table.Add refuses a route
// without an authentication decision, so no route can be unauthenticated
// by omission.
//
// # Pipeline
//
// Every request runs the same steps, in this order:
//
//  1. size limit: the body is read up to the route's MaxBody;
//  2. the protocol names the operation (before authentication, so that
//     the signing service can depend on it, but nothing else is decoded);
//  3. the audit trail is checked: a request that could not be audited is
//     not served (unless the operator chose availability, see AuditPolicy);
//  4. authenticate, giving the principal;
//  5. decode, validate, authorize and handle: the protocol's Call, which
//     decodes and validates the input and calls the core, which authorizes
//     (key policies, grants and identity policies need the key, so the core
//     decides, and it refuses any call without an authenticated principal);
//  6. encode the answer or the error (each protocol's one error table);
//  7. audit: the record is handed to the kernel before the answer leaves,
//     so an acknowledged request always has its record;
//  8. metrics: the outcome and latency of the operation.
//
// Clients get a typed error's own message only: an error of no known kind
// is answered as the protocol's internal error with a fixed message, and
// its cause goes to the server's log.
package frontdoor
