// Package console is Trent's web console: server-rendered pages at
// /console/ on the API listener, served by the same binary (templates and
// assets are embedded), for the procedure Trent exists for — IAM users,
// KMS keys, the import of key material (BYOK) — by clicks.
//
// # A route of the front door
//
// The console is a row of the server's route table (package frontdoor).
// Its Protocol runs an ordinary net/http mux of page handlers over the
// body the pipeline has read; its Authenticator is the session cookie.
// The page requests themselves are not audited: the audit trail records
// what the console does, not what it shows.
//
// # Every action is the API call it stands for
//
// A page never touches the core or the store. Everything it reads or
// changes in KMS and IAM goes through [frontdoor.Table.Invoke]: the KMS
// or IAM operation, shaped as the wire request, with the signed-in
// principal, through the
// same decoding, authorization (key policies, grants, identity policies),
// audit record and metrics as the same call from the AWS CLI. A refusal is
// shown in the page as the API answered it (AccessDenied's own message),
// never as a server error. The audit record of such a call carries the
// browser's address and user agent. The one exception is the event
// history, which reads the audit trail itself (Config.Audit) for the
// principals the server's policy evaluation allows
// cloudtrail:LookupEvents; Trent serves no LookupEvents API to invoke.
//
// # Sign-in and sessions
//
// IAM users sign in with the account ID, their user name and the
// password of their login profile; the account root with the account ID
// and the password set by `trent admin root-password`. Sign-ins (ConsoleLogin)
// are audited, success or failure. A session is a random 256-bit ID in an
// HttpOnly, SameSite=Strict cookie (Secure, and __Host- prefixed, under
// TLS) naming server-side state held in this node's memory: sign-out
// revokes it at once, and a node restart signs everybody out. Several nodes
// behind a load balancer need sticky sessions. Sessions end after
// Config.IdleTimeout without a request and Config.AbsoluteTimeout after
// sign-in, whichever comes first.
//
// # Forms and browser security
//
// Every POST carries the session's CSRF token (the sign-in form a
// double-submit token of its own), compared in constant time; a POST
// without it changes nothing. Every answer carries a Content-Security-Policy
// that allows scripts and styles from the console's own static files only
// (no inline script), frame-ancestors 'none', nosniff, no-referrer and
// Cache-Control: no-store. Nothing secret is kept in browser storage: an
// access key's secret is shown once, in the page that created it.
package console
