package pkcs11

import (
	"fmt"
)

// Confirm is what a caller that destroys, changes or exports an object
// knows of it. A bare handle (ObjectRef.Bare) may name another object
// than the user saw, so FindConfirmed acts on one only when Label or ID
// is given and matches, or Ask agrees.
type Confirm struct {
	// Label and ID, when set, are what the object must have, whatever
	// the reference form.
	Label *string
	ID    []byte
	// Ask is asked about a bare handle that Label and ID do not confirm,
	// with what the handle is now; a nil error goes on. Nil Ask refuses.
	Ask func(what string) error
}

// UnconfirmedError refuses a bare handle nobody confirmed.
type UnconfirmedError struct {
	Ref    ObjectRef
	Object Object
	URI    string
}

func (e *UnconfirmedError) Error() string {
	return fmt.Sprintf("handle %s is a bare handle number, which not every module keeps from one session to the next (SoftHSM2 numbers objects anew): it is now %s. Name the object by a stable reference (%s), or confirm the handle with the object's label or id",
		e.Ref.Text, e.Object.Describe(), e.URI)
}

// FindConfirmed finds the object as FindObject does, checks it against
// c.Label and c.ID, and, for a bare handle without them, asks c.Ask.
func (t *Token) FindConfirmed(r ObjectRef, class string, c Confirm) (Object, error) {
	o, err := t.FindObject(r, class)
	if err != nil {
		return o, err
	}
	if !o.Matches(c.Label, c.ID) {
		want := ""
		if c.Label != nil {
			want = fmt.Sprintf("label %q", *c.Label)
		}
		if len(c.ID) > 0 {
			if want != "" {
				want += " and "
			}
			want += "id " + Hex(c.ID).String()
		}
		return o, fmt.Errorf("%s is %s, not the object with %s: nothing was done", r.Text, o.Describe(), want)
	}
	if !r.Bare() || c.Label != nil || len(c.ID) > 0 {
		return o, nil
	}
	u := o.URI(t.Info()).String()
	if c.Ask == nil {
		return o, &UnconfirmedError{Ref: r, Object: o, URI: u}
	}
	return o, c.Ask(o.Describe() + " (" + u + ")")
}
