// Package wire holds the AWS KMS wire types of Trent: one Go struct per
// structure shape of the KMS service model (botocore's service-2.json,
// API version 2014-11-01), their AWS JSON 1.1 (de)serialisation, and
// request validation that answers with AWS's exact ValidationException
// wording.
//
// # Sections
//
//   - Generated code: types, enums and operation tables (zz_generated.go)
//   - Validation: Validator, ValidationError, Violation (errors.go, validate.go)
//   - Decoding: Decode and SerializationError (decode.go)
//   - Timestamps and pointer helpers: Timestamp, NewTimestamp, Ptr (timestamp.go)
//
// # Generated code
//
// zz_generated.go is produced by internal/gen (go generate) from the model
// and must not be edited. Each structure shape becomes a struct named as
// the shape (EncryptRequest, KeyMetadata, Tag, ...), with fields named as
// the members and JSON tags equal to the member names. Member types:
// string and enum shapes are string, blob is []byte (base64 on the wire),
// integer *int32, long *int64, boolean *bool, timestamp *Timestamp, list
// a slice of the element type (structures by value, []Tag), map
// map[string]string, nested structures a pointer. Scalar members are
// tagged omitempty. Lists and maps are tagged omitzero, so a nil slice is
// omitted but an empty non-nil one is sent as [] (set Aliases to
// []AliasListEntry{} for an empty page: boto3 callers index
// resp["Aliases"]). Strings are omitted when "", so a response member that
// AWS sends even when empty (KeyMetadata.Description) cannot be sent as ""
// through these types — except a required string member whose shape
// admits "" (Tag.TagValue, UpdateKeyDescriptionRequest.Description),
// which is a *string: absent is nil, and Ptr("") is sent as "". Enum values are constants named shape+value
// (KeySpecRsa2048) and each enum shape has a Values function in model
// order. Operations, InputOf and OutputOf index the operations by name.
//
// # Validation
//
// Every input struct has Validate, which checks required members, string
// length in Unicode code points, blob length in bytes, list length,
// integer range, patterns and enum membership, recursing into nested
// structures and list elements. It reports every violation, in member
// order, as a *ValidationError whose message is Coral's:
//
//	2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value '5000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024
//
// Paths lower-case the first letter of each member name and address list
// elements as "tags.1.member.tagKey" (1-based). Within one member the
// checks run null, minimum length, maximum length, pattern, enum.
//
// Absent versus empty: a string member cannot tell absent from "", so ""
// counts as absent; a required string member that is "" is reported as
// null. A required member whose shape admits "" (minimum length 0 and no
// pattern or enum excluding it: UpdateKeyDescription's Description, a
// Tag's TagValue) is a *string instead, so that "" is accepted and an
// absent (or null) member is reported as null, as AWS does. Blobs, lists and maps
// do distinguish: nil is absent (null), while an empty non-nil value is
// checked, so {"Plaintext": ""} gives "Value at 'plaintext' failed to
// satisfy constraint: Member must have length greater than or equal to 1",
// the message AWS returns. String elements of a list are always checked.
//
// Secrets are never echoed. Violations of blobs and of members whose
// shape is marked sensitive (Plaintext, KeyStorePassword, the XKS proxy
// credential) use AWS's own form without a value, "Value at 'plaintext'
// failed to satisfy constraint: ...", as the live service does. Other
// string values are echoed in quotes and capped at 256 characters plus
// "...". Integers are echoed as '5000', lists of strings as '[a, b]'.
//
// Patterns are full-value matches: Coral applies the model's
// java.util.regex patterns to the whole value, so an unanchored pattern
// such as [\u0020-\u00FF]* still constrains every character (DynamoDB,
// for example, rejects '89hls;;f;d' against [a-zA-Z0-9_.-]+, although a
// prefix matches). The generator wraps each pattern as ^(?:...)$ and
// translates Java-only syntax for RE2: \uXXXX becomes \x{XXXX} and \s
// becomes Java's whitespace set including \x0B; constructs RE2 lacks make
// it fail. The message quotes the pattern exactly as the model spells it.
//
// Validate allocates nothing when the input is valid.
//
// # Decoding
//
// Decode wraps encoding/json with a strict pre-pass (strict.go) that gives
// AWS's semantics: member names match exactly (a name differing in case,
// or by a Unicode fold such as the Kelvin sign, is not a member and is
// ignored like any unknown member), null equals absent, an empty body is
// {}. A member given twice, a map key given twice (in an encryption
// context, say), invalid UTF-8 anywhere in the body and a \u escape that
// is an unpaired UTF-16 surrogate are refused, as Jackson refuses them,
// rather than resolved (last wins, U+FFFD). Failures are
// *SerializationError with
// these messages (AWS's SerializationException): a JSON type mismatch
// uses Coral's current wording, e.g. "STRING_VALUE cannot be converted to
// Integer", "NUMBER_VALUE cannot be converted to String", "DECIMAL_VALUE
// cannot be converted to Integer", "Unexpected token received from
// parser" (string for a boolean), "only base-64-encoded strings are
// convertible to bytes", "Unexpected field type" (scalar for a list, map
// or structure), "Start of structure or map found where not expected" and
// "Unrecognized collection type class java.lang.String" (array for a
// scalar). Coral sends no message for malformed JSON; Decode says
// "Malformed JSON request body at offset N: <reason>". A non-object body
// gives "Request body must be a JSON object", and bad base64 "Invalid
// Base64 value for a blob member: illegal data at input byte N" (both
// Trent's own wording), as are "Duplicate field 'KeyId'", "Duplicate map
// key in 'EncryptionContext'", "Invalid UTF-8 in request body at offset
// N: byte 0xff" and "Invalid \u escape in request body at offset N:
// unpaired UTF-16 surrogate \ud800". A known leniency of encoding/json
// remains: a JSON array of small numbers is accepted for a blob.
//
// # Timestamps
//
// Timestamp marshals as epoch seconds with millisecond precision
// (1480632737.044, or 1480632737 when whole) and unmarshals integer,
// fractional and exponent forms (1.480632737044E9) exactly; strings and
// other JSON types are rejected.
package wire

//go:generate go run ./internal/gen -out zz_generated.go
