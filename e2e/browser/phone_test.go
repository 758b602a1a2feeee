package browser

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// TestPhoneWidth: the console's pages at a phone's width (an iPhone 13's
// 390×844 viewport, touch, its user agent) are screenshotted and checked
// with axe-core, and none is wider than the screen: wide tables scroll in
// their own box, the page itself never sideways.
func TestPhoneWidth(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	var out struct{ KeyMetadata struct{ KeyId string } }
	if err := json.Unmarshal([]byte(srv.aws(t, "kms", "create-key", "--description", "a key for the phone")), &out); err != nil {
		t.Fatal(err)
	}
	srv.aws(t, "kms", "create-alias", "--alias-name", "alias/phone", "--target-key-id", out.KeyMetadata.KeyId)
	b := newTab(t, srv)
	b.do(chromedp.Emulate(device.IPhone13))
	b.signInOK("", rootPassword, "phone-home")
	pages := []struct{ path, name string }{
		{"/console/iam/users", "phone-iam-users"},
		{"/console/iam/add-user", "phone-add-user"},
		{"/console/kms/keys", "phone-kms-keys"},
		{"/console/kms/keys/create", "phone-create-key"},
		{"/console/kms/keys/" + out.KeyMetadata.KeyId, "phone-key-general"},
		{"/console/kms/keys/" + out.KeyMetadata.KeyId + "?tab=policy", "phone-key-policy"},
		{"/console/kms/keys/" + out.KeyMetadata.KeyId + "?tab=crypto", "phone-key-crypto"},
		{"/console/audit", "phone-event-history"},
	}
	for _, p := range pages {
		b.open(p.path, p.name)
		if w := js[int](b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
			t.Errorf("%s: the page is %d px wider than the phone's screen", p.path, w)
		}
	}
}
