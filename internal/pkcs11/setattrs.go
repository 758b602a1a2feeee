//go:build cgo

package pkcs11

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	mp "github.com/miekg/pkcs11"
)

// SetAttributes changes an object's label and boolean attributes. Changes
// to the value an attribute already has are left out; with none left it
// does nothing.
//
// A token may apply part of a refused C_SetAttributeValue (SoftHSM2 does),
// so SetAttributes sets one attribute at a time: first the changes PKCS#11
// lets be undone, then the one-way ones (extractable to false, sensitive to
// true), modifiable=false last. When the token refuses one, the changes
// already made are undone, and the *Error's advice explains PKCS#11's
// one-way rules as they apply to the request: CKA_EXTRACTABLE only goes
// from true to false and CKA_SENSITIVE only from false to true (Luna lets a
// modifiable key be made extractable; SoftHSM2 and NSS do not), nothing
// changes on an object with CKA_MODIFIABLE false, and CKA_MODIFIABLE itself
// is usually fixed at creation. The advice ends by saying what, if
// anything, stayed changed.
func (t *Token) SetAttributes(h Handle, c AttrChanges) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	return t.setAttributes(mp.ObjectHandle(h), c)
}

// attrChange is one attribute to set, with the value it had.
type attrChange struct {
	name     string
	new, old *mp.Attribute // old is nil when it cannot be restored
	oneWay   bool
}

func (t *Token) setAttributes(h mp.ObjectHandle, c AttrChanges) error {
	names := make([]string, 0, len(c.Bool))
	for name := range c.Bool {
		if !slices.Contains(BoolAttrs, name) {
			return fmt.Errorf("attribute %q cannot be set: settable booleans are %s", name, strings.Join(BoolAttrs, ", "))
		}
		names = append(names, name)
	}
	sort.Strings(names)
	cur, err := t.attributes(h)
	if err != nil {
		return err
	}
	var todo []attrChange
	if c.Label != nil && (cur.Label == nil || *cur.Label != *c.Label) {
		ch := attrChange{name: "label", new: mp.NewAttribute(mp.CKA_LABEL, *c.Label)}
		if cur.Label != nil {
			ch.old = mp.NewAttribute(mp.CKA_LABEL, *cur.Label)
		}
		todo = append(todo, ch)
	}
	for _, name := range names {
		v := c.Bool[name]
		old := cur.bool(name)
		if old != nil && *old == v {
			continue
		}
		ch := attrChange{name: name, new: mp.NewAttribute(boolAttrTypes[name], v),
			oneWay: name == "extractable" && !v || name == "sensitive" && v || name == "modifiable" && !v}
		if old != nil && !ch.oneWay {
			ch.old = mp.NewAttribute(boolAttrTypes[name], *old)
		}
		todo = append(todo, ch)
	}
	// Undoable changes first, one-way ones next, modifiable=false last.
	sort.SliceStable(todo, func(i, j int) bool { return rank(todo[i]) < rank(todo[j]) })
	changing := make([]string, len(todo))
	for i, ch := range todo {
		changing[i] = ch.name
	}
	for i, ch := range todo {
		err := t.ctx.SetAttributeValue(t.sess, h, []*mp.Attribute{ch.new})
		if err == nil {
			continue
		}
		advice := explainRefusal(cur, c, ch.name)
		if advice == "" {
			advice = returnCodes[codeOf(err)].advice
		}
		what := ch.name
		if len(changing) > 1 {
			// Name the others only when there are others to name.
			what += " (one of " + strings.Join(changing, ", ") + ")"
		}
		return p11err("C_SetAttributeValue", err, fmt.Sprintf("the token refused to change %s: %s; %s",
			what, advice, t.undo(h, todo[:i])))
	}
	return nil
}

func rank(ch attrChange) int {
	switch {
	case ch.name == "modifiable" && ch.oneWay:
		return 2
	case ch.oneWay:
		return 1
	}
	return 0
}

// undo reverts changes already made, newest first, and says what stays
// changed.
func (t *Token) undo(h mp.ObjectHandle, done []attrChange) string {
	var stuck []string
	for i := len(done) - 1; i >= 0; i-- {
		ch := done[i]
		if ch.old == nil || t.ctx.SetAttributeValue(t.sess, h, []*mp.Attribute{ch.old}) != nil {
			stuck = append(stuck, ch.name)
		}
	}
	if len(stuck) == 0 {
		return "nothing was changed"
	}
	slices.Reverse(stuck)
	return "these changes were made and could not be undone: " + strings.Join(stuck, ", ")
}

// bool returns the boolean attribute of that name, nil if unknown.
func (a Attrs) bool(name string) *bool {
	switch name {
	case "token":
		return a.Token
	case "private":
		return a.Private
	case "encrypt":
		return a.Encrypt
	case "decrypt":
		return a.Decrypt
	case "wrap":
		return a.Wrap
	case "unwrap":
		return a.Unwrap
	case "sign":
		return a.Sign
	case "verify":
		return a.Verify
	case "derive":
		return a.Derive
	case "sensitive":
		return a.Sensitive
	case "extractable":
		return a.Extractable
	case "modifiable":
		return a.Modifiable
	case "local":
		return a.Local
	}
	return nil
}

// explainRefusal says why a token may refuse to change the attribute,
// from the object's current attributes; "" leaves the return code's own
// advice.
func explainRefusal(cur Attrs, c AttrChanges, name string) string {
	var why []string
	if cur.Modifiable != nil && !*cur.Modifiable {
		why = append(why, fmt.Sprintf("the object (handle %d) has modifiable=false: PKCS#11 lets none of its attributes change; create a new object with the attributes you need", cur.Handle))
	}
	switch v := c.Bool[name]; {
	case name == "extractable" && v:
		why = append(why, "extractable can only go from true to false in PKCS#11; Luna lets a modifiable key be made extractable again, this token does not: generate a new key with `trent hsm keygen --extractable` (the default)")
	case name == "sensitive" && !v:
		why = append(why, "sensitive can only go from false to true in PKCS#11: a sensitive key cannot be made readable")
	case name == "modifiable":
		why = append(why, "modifiable is usually fixed when the object is created (it can change only on C_CopyObject)")
	case name == "private":
		why = append(why, "many tokens fix private when the object is created")
	}
	return strings.Join(why, "; ")
}
