package byokflow

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		f    ExpiryChoice
		want string
	}{
		{ExpiryChoice{NoExpiry: true}, "KEY_MATERIAL_DOES_NOT_EXPIRE"},
		{ExpiryChoice{ExpireIn: "90d"}, "2026-04-01T12:00:00Z"},
		{ExpiryChoice{ExpireIn: "36h"}, "2026-01-03T00:00:00Z"},
		{ExpiryChoice{ValidTo: "2026-06-30"}, "2026-06-30T00:00:00Z"},
		{ExpiryChoice{ValidTo: "2026-06-30T10:00:00+02:00"}, "2026-06-30T08:00:00Z"},
		{ExpiryChoice{ExpireIn: "365d"}, "2027-01-01T12:00:00Z"},
	} {
		t.Run(c.want, func(t *testing.T) {
			e, err := c.f.Resolve(now)
			if err != nil || e.String() != c.want {
				t.Errorf("%+v: %v %v, want %s", c.f, e, err, c.want)
			}
			if (e.ValidTo == nil) != (e.Model == types.ExpirationModelTypeKeyMaterialDoesNotExpire) {
				t.Errorf("%+v: model %s with validTo %v", c.f, e.Model, e.ValidTo)
			}
		})
	}
	for _, s := range []string{"0d", "-1h", "d", "1.5d", "soon", "366d"} {
		if _, err := (ExpiryChoice{ExpireIn: s}).Resolve(now); err == nil {
			t.Errorf("--expires-in %q accepted", s)
		}
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := checkNotExpired(&past, time.Now(), "do it again"); err == nil || err.Error() != "the import token expired at 2020-01-02T03:04:05Z (KMS's import parameters are valid for 24 hours); do it again" {
		t.Errorf("checkNotExpired: %v", err)
	}
}
