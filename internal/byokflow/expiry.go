package byokflow

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ExpiryChoice is the key material's expiration as the user gives it:
// exactly one of the three.
type ExpiryChoice struct {
	NoExpiry          bool
	ValidTo, ExpireIn string // RFC 3339 or a date; a duration or "90d"
}

// Expiration is what ImportKeyMaterial takes.
type Expiration struct {
	Model   types.ExpirationModelType
	ValidTo *time.Time
}

func (e Expiration) String() string {
	if e.ValidTo == nil {
		return string(e.Model)
	}
	return e.ValidTo.UTC().Format(time.RFC3339)
}

// Resolve checks that exactly one expiration was chosen and that it is
// one KMS accepts (in the future, at most 365 days ahead).
func (e ExpiryChoice) Resolve(now time.Time) (Expiration, error) {
	n := 0
	for _, set := range []bool{e.NoExpiry, e.ValidTo != "", e.ExpireIn != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return Expiration{}, usagef("choose the key material's expiration: --no-expiry, --valid-to TIME or --expires-in DURATION (one of them)")
	}
	if e.NoExpiry {
		return Expiration{Model: types.ExpirationModelTypeKeyMaterialDoesNotExpire}, nil
	}
	var t time.Time
	if e.ValidTo != "" {
		var err error
		if t, err = parseTime(e.ValidTo); err != nil {
			return Expiration{}, usagef("--valid-to %q: %v", e.ValidTo, err)
		}
	} else {
		d, err := parseDuration(e.ExpireIn)
		if err != nil {
			return Expiration{}, usagef("--expires-in %q: %v", e.ExpireIn, err)
		}
		t = now.Add(d).Truncate(time.Second)
	}
	switch {
	case !t.After(now):
		return Expiration{}, usagef("the expiry %s is not in the future", t.UTC().Format(time.RFC3339))
	case t.After(now.Add(365 * 24 * time.Hour)):
		return Expiration{}, usagef("the expiry %s is more than 365 days ahead, which KMS refuses", t.UTC().Format(time.RFC3339))
	}
	t = t.UTC()
	return Expiration{Model: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: &t}, nil
}

// parseTime reads RFC 3339, or a date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not an RFC 3339 time (2027-01-31T00:00:00Z) or a date (2027-01-31)")
}

// parseDuration reads a Go duration or a number of days ("90d").
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && fmt.Sprint(n) == days && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not a duration: use e.g. 90d or 720h")
	}
	return d, nil
}

// checkNotExpired refuses import parameters past their ParametersValidTo.
func checkNotExpired(validTo *time.Time, now time.Time, again string) error {
	if validTo == nil || now.Before(*validTo) {
		return nil
	}
	return errors.New("the import token expired at " + validTo.UTC().Format(time.RFC3339) + " (KMS's import parameters are valid for 24 hours); " + again)
}
