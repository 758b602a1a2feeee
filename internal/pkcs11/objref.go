package pkcs11

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// ObjectRef names an object of a token the way a user writes it:
//
//	label:NAME   CKA_LABEL
//	id:HEX       CKA_ID
//	pkcs11:…     an RFC 7512 URI with object=, id= and/or type=
//	NAME         a plain label
//	N            a bare handle number
//
// Labels, ids and URIs are stable: they name the same object in every
// session. A bare handle is not on every module: SoftHSM2 numbers objects
// anew in each session, so handle 2 of one run may be another object in
// the next. Callers that destroy, change or export an object must not act
// on a bare handle unless the user confirmed what it is (see
// ObjectRef.Bare and Object.Matches).
type ObjectRef struct {
	// Text is what the user wrote.
	Text string
	// Handle is set for a bare handle number; the other fields are then
	// empty.
	Handle *Handle
	Label  string
	ID     []byte
	Class  string
	// URI is set for a pkcs11: reference; its token attributes must
	// match the open token.
	URI *URI
}

// ParseObjectRef parses a reference in one of ObjectRef's forms.
func ParseObjectRef(s string) (ObjectRef, error) {
	r := ObjectRef{Text: s}
	switch {
	case s == "":
		return r, fmt.Errorf("empty object reference: give label:NAME, id:HEX or a pkcs11: URI")
	case isDecimal(s):
		n, err := strconv.ParseUint(s, 10, 0)
		if err != nil {
			return r, fmt.Errorf("object handle %q: %v", s, err)
		}
		h := Handle(n)
		r.Handle = &h
	case strings.HasPrefix(s, "label:"):
		r.Label = strings.TrimPrefix(s, "label:")
	case strings.HasPrefix(s, "id:"):
		id, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "id:"), "0x"))
		if err != nil || len(id) == 0 {
			return r, fmt.Errorf("object reference %q: the id is not hex", s)
		}
		r.ID = id
	case strings.HasPrefix(strings.ToLower(s), "pkcs11:"):
		u, err := ParseURI(s)
		if err != nil {
			return r, err
		}
		if !u.HasObject() {
			return r, fmt.Errorf("the pkcs11: URI %q names no object (object=, id= or type=)", s)
		}
		r.URI, r.Label, r.ID, r.Class = u, u.Object, u.ID, u.Type
	default:
		r.Label = s
	}
	return r, nil
}

// Bare reports whether the reference is a bare handle number.
func (r ObjectRef) Bare() bool { return r.Handle != nil }

// FindObject returns the one object the reference names. class, if set,
// narrows a search by label, id or URI; for a bare handle it is checked
// instead, so that the error names what the handle is.
func (t *Token) FindObject(r ObjectRef, class string) (Object, error) {
	info := t.Info()
	if r.Bare() {
		// The handle must be one this session sees: FindObjects lists them.
		objs, err := t.FindObjects(Filter{})
		if err != nil {
			return Object{}, err
		}
		for _, o := range objs {
			if o.Handle == *r.Handle {
				if class != "" && !sameClass(o.Class, class) {
					return o, fmt.Errorf("handle %d on token %q is %s, not a %s", o.Handle, info.Label, o.Describe(), class)
				}
				return o, nil
			}
		}
		return Object{}, fmt.Errorf("token %q has no object with handle %d in this session (a private object needs a login; SoftHSM2 numbers objects anew in each session: use the label or id that trent hsm objects shows)", info.Label, *r.Handle)
	}
	if r.URI != nil {
		if err := r.URI.MatchesToken(info); err != nil {
			return Object{}, err
		}
	}
	f := Filter{Class: class, Label: r.Label, ID: r.ID}
	if r.Class != "" {
		f.Class = r.Class
	}
	objs, err := t.FindObjects(f)
	if err != nil {
		return Object{}, err
	}
	switch len(objs) {
	case 0:
		what := "no object"
		if f.Class != "" {
			what = "no " + f.Class
		}
		return Object{}, fmt.Errorf("%s on token %q matches (a private object needs a login; list objects with trent hsm objects)", what, info.Label)
	case 1:
		return objs[0], nil
	}
	var hs []string
	for _, o := range objs {
		hs = append(hs, o.Describe())
	}
	return Object{}, fmt.Errorf("%d objects on token %q match: %s; name one by id:HEX or a pkcs11: URI with id=", len(objs), info.Label, strings.Join(hs, "; "))
}

// MatchesToken checks the URI's token attributes against a token.
func (u *URI) MatchesToken(info TokenInfo) error {
	for _, c := range [][3]string{{"token", u.Token, info.Label}, {"serial", u.Serial, info.Serial},
		{"model", u.Model, info.Model}, {"manufacturer", u.Manufacturer, info.Manufacturer}} {
		if c[1] != "" && c[1] != c[2] {
			return fmt.Errorf("the object URI names %s=%q but the open token has %q: select that token with --uri or --token-label", c[0], c[1], c[2])
		}
	}
	return nil
}

// Matches reports whether the object has the label (when label is not
// nil) and the id (when id is not empty): how a user confirms that a
// bare handle is the object they mean.
func (o Object) Matches(label *string, id []byte) bool {
	return (label == nil || *label == o.Label) && (len(id) == 0 || bytes.Equal(id, o.ID))
}

// Describe says what an object is, for a user about to act on it:
// `secret-key AES-256, label "kms-aes", id 0a1b, handle 5`.
func (o Object) Describe() string {
	s := o.Class
	switch {
	case o.KeyType != "" && o.Bits > 0:
		s += fmt.Sprintf(" %s-%d", o.KeyType, o.Bits)
	case o.KeyType != "":
		s += " " + o.KeyType
	}
	if o.Label != "" {
		s += fmt.Sprintf(", label %q", o.Label)
	} else {
		s += ", no label"
	}
	if len(o.ID) > 0 {
		s += ", id " + o.ID.String()
	}
	return s + fmt.Sprintf(", handle %d", o.Handle)
}

// URI returns a pkcs11: URI that names the object on the token by its
// token label and serial and its label, id and class: a reference that
// stays valid across sessions (unlike a handle). It is unambiguous when
// the object has an id or a label no other object of its class has.
func (o Object) URI(info TokenInfo) *URI {
	return &URI{Token: info.Label, Serial: info.Serial, Object: o.Label, ID: o.ID, Type: uriType(o.Class)}
}

// uriType is RFC 7512's type name of a class.
func uriType(class string) string {
	for a, c := range classAliases {
		if c == class {
			return a
		}
	}
	return class
}

// sameClass compares class names, RFC 7512 aliases included.
func sameClass(a, b string) bool {
	if x, ok := classAliases[a]; ok {
		a = x
	}
	if x, ok := classAliases[b]; ok {
		b = x
	}
	return a == b
}

func isDecimal(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
