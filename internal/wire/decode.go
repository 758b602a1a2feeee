package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decode unmarshals an AWS JSON 1.1 request body into v, a pointer to a
// generated input struct (see InputOf), with AWS's semantics: member names
// match exactly (a name that differs, if only in case, is not a member of
// the model and is ignored, as are unknown members), JSON null is the same
// as an absent member, and an empty (or all-whitespace) body is treated as
// {}. The strict pre-pass (strict.go) refuses what encoding/json alone
// would let through: a member or map key given twice, invalid UTF-8, and
// \u escapes that are unpaired surrogates.
//
// Every failure caused by the body is a *SerializationError: malformed
// JSON, a top-level value that is not an object, a member of the wrong
// JSON type (with Coral's wording; see the package documentation), a
// duplicate, invalid UTF-8. Any other error (for example v not being a
// pointer) is returned unchanged.
func Decode(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' {
		if !utf8.Valid(body) {
			return invalidUTF8(body)
		}
		if !json.Valid(body) {
			return malformed(body)
		}
		return &SerializationError{Message: "Request body must be a JSON object"}
	}
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Pointer {
		clean, err := strictCheck(body, schemaOf(t))
		if err != nil {
			return err
		}
		body = clean
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var (
		se  *SerializationError
		syn *json.SyntaxError
		ute *json.UnmarshalTypeError
		b64 base64.CorruptInputError
	)
	switch {
	case errors.As(err, &se):
		return se
	case errors.As(err, &syn):
		return malformed(body)
	case errors.As(err, &ute):
		return &SerializationError{Message: typeMismatch(body, ute), Field: ute.Field, Err: err}
	case errors.As(err, &b64):
		return &SerializationError{
			Message: "Invalid Base64 value for a blob member: illegal data at input byte " + strconv.FormatInt(int64(b64), 10),
			Err:     err,
		}
	}
	return err
}

// malformed builds the error for a body that is not valid JSON.
func malformed(body []byte) *SerializationError {
	var x any
	err := json.Unmarshal(body, &x)
	msg := "Malformed JSON request body"
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		msg += " at offset " + strconv.FormatInt(syn.Offset, 10) + ": " + syn.Error()
	}
	return &SerializationError{Message: msg, Err: err}
}

// Java type names Coral uses in its conversion messages.
var javaNames = map[reflect.Kind]string{
	reflect.String:  "String",
	reflect.Int32:   "Integer",
	reflect.Int64:   "Long",
	reflect.Bool:    "Boolean",
	reflect.Float32: "Float",
	reflect.Float64: "Double",
}

// typeMismatch words a JSON type mismatch the way Coral does.
func typeMismatch(body []byte, e *json.UnmarshalTypeError) string {
	kind := jsonKind(body, e)
	t := e.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case kind == "object":
		return "Start of structure or map found where not expected"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "only base-64-encoded strings are convertible to bytes"
	case t.Kind() == reflect.Uint8:
		return "Unrecognized collection type class java.nio.ByteBuffer"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Struct:
		if kind != "array" {
			return "Unexpected field type"
		}
		if t.Kind() == reflect.Map {
			return "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"
		}
		return "Unrecognized collection type class " + t.Name()
	}
	name, ok := javaNames[t.Kind()]
	if !ok {
		name = t.String()
	}
	switch {
	case kind == "array":
		return "Unrecognized collection type class java.lang." + name
	case kind == "STRING_VALUE" && t.Kind() == reflect.Bool:
		return "Unexpected token received from parser"
	}
	return kind + " cannot be converted to " + name
}

// jsonKind names the JSON value that failed to decode: Coral's token names
// for scalars (STRING_VALUE, NUMBER_VALUE, DECIMAL_VALUE, TRUE_VALUE,
// FALSE_VALUE), or "array" / "object".
func jsonKind(body []byte, e *json.UnmarshalTypeError) string {
	off := int(max(0, min(e.Offset, int64(len(body)))))
	before := body[:off]
	switch {
	case e.Value == "string":
		return "STRING_VALUE"
	case e.Value == "bool":
		if bytes.HasSuffix(before, []byte("true")) {
			return "TRUE_VALUE"
		}
		return "FALSE_VALUE"
	case e.Value == "array", e.Value == "object":
		return e.Value
	}
	// A number: e.Value is "number" or "number <literal>".
	lit := strings.TrimPrefix(e.Value, "number ")
	if lit == "number" || lit == "" {
		i := len(before)
		for i > 0 && strings.IndexByte("0123456789+-.eE", before[i-1]) >= 0 {
			i--
		}
		lit = string(before[i:])
	}
	if strings.ContainsAny(lit, ".eE") {
		return "DECIMAL_VALUE"
	}
	return "NUMBER_VALUE"
}
