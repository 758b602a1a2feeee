package byokflow

import (
	"crypto/rand"
	"fmt"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// session is the HSM side of a run: the open token and where its notes
// go.
type session struct {
	open  TokenOpener
	obs   Observer
	tok   *pkcs11.Token
	quiet bool // notes are dropped (while probing the token)
	// generated is the key the run generated, if any.
	generated *HSMKey
}

func (s *session) note(msg string) {
	if !s.quiet && s.obs != nil {
		s.obs.Note(msg)
	}
}

// openToken opens the token; close closes it at the end of the run.
func (s *session) openToken() (string, error) {
	tok, err := s.open(s.note)
	if err != nil {
		return "", err
	}
	s.tok = tok
	i := tok.Info()
	return fmt.Sprintf("token %q (slot %d, %s %s, serial %s)", i.Label, i.Slot, i.Manufacturer, i.Model, i.Serial), nil
}

func (s *session) close() {
	if s.tok != nil {
		_ = s.tok.Close()
	}
}

// pick finds the object ref names, of class, confirmed by label and id
// (when given) or ask (for a bare handle without them).
func (s *session) pick(ref, class, label string, id []byte, ask func(string) error) (pkcs11.Object, error) {
	r, err := pkcs11.ParseObjectRef(ref)
	if err != nil {
		return pkcs11.Object{}, UsageError{err}
	}
	c := pkcs11.Confirm{ID: id, Ask: ask}
	if label != "" {
		c.Label = &label
	}
	return s.tok.FindConfirmed(r, class, c)
}

// RandomID is a CKA_ID for a key Trent generates without one: 8 random
// bytes, so that every key has a stable reference (id:HEX) that no
// other object shares.
func RandomID() []byte {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return b
}
