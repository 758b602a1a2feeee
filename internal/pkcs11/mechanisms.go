//go:build cgo

package pkcs11

import (
	"fmt"

	mp "github.com/miekg/pkcs11"
)

// Mechanisms lists the mechanisms the token offers (C_GetMechanismList and
// C_GetMechanismInfo), in the token's order.
func (t *Token) Mechanisms() ([]Mechanism, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	list, err := t.ctx.GetMechanismList(t.info.Slot)
	if err != nil {
		return nil, p11err("C_GetMechanismList", err, "")
	}
	out := make([]Mechanism, 0, len(list))
	for _, m := range list {
		info, err := t.ctx.GetMechanismInfo(t.info.Slot, []*mp.Mechanism{m})
		if err != nil {
			return nil, p11err("C_GetMechanismInfo", err, "")
		}
		out = append(out, Mechanism{Type: m.Mechanism, Name: MechanismName(m.Mechanism),
			MinKeySize: info.MinKeySize, MaxKeySize: info.MaxKeySize, Flags: flagNames(info.Flags, mechFlagNames)})
	}
	return out, nil
}

// offers reports whether the token offers mech with the flag (CKF_WRAP,
// …) set, asking C_GetMechanismInfo.
func (t *Token) offers(mech, flag uint) bool {
	info, err := t.ctx.GetMechanismInfo(t.info.Slot, []*mp.Mechanism{mp.NewMechanism(mech, nil)})
	return err == nil && info.Flags&flag == flag
}

// requireMechanism is offers with an error that says plainly what the
// token cannot do.
func (t *Token) requireMechanism(mech, flag uint, purpose string) error {
	info, err := t.ctx.GetMechanismInfo(t.info.Slot, []*mp.Mechanism{mp.NewMechanism(mech, nil)})
	if err != nil {
		return fmt.Errorf("token %q does not offer %s, needed to %s: %w", t.info.Label, MechanismName(mech), purpose,
			p11err("C_GetMechanismInfo", err, "the token does not offer this mechanism (list them with `trent hsm mechanisms`)"))
	}
	if info.Flags&flag != flag {
		return fmt.Errorf("token %q offers %s but not to %s (its flags: %v); list mechanisms with `trent hsm mechanisms`",
			t.info.Label, MechanismName(mech), purpose, flagNames(info.Flags, mechFlagNames))
	}
	return nil
}
