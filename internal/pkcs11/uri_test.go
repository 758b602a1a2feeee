package pkcs11

import (
	"reflect"
	"strings"
	"testing"
)

func uintp(v uint) *uint { return &v }

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want URI
	}{
		{"pkcs11:", URI{}},
		{"PKCS11:token=kms", URI{Token: "kms"}},
		// RFC 7512 section 3 examples.
		{"pkcs11:object=my-pubkey;type=public", URI{Object: "my-pubkey", Type: "public"}},
		{"pkcs11:object=my-key;type=private?pin-source=file:/etc/token", URI{Object: "my-key", Type: "private", PINSource: "file:/etc/token"}},
		{"pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin",
			URI{Token: "The Software PKCS#11 Softtoken", Manufacturer: "Snake Oil, Inc.", Model: "1.0", Object: "my-certificate",
				Type: "cert", ID: []byte{0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91}, PINSource: "file:/etc/token_pin"}},
		{"pkcs11:object=my-sign-key;type=private?module-name=mypkcs11", URI{Object: "my-sign-key", Type: "private", ModuleName: "mypkcs11"}},
		{"pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1", URI{Object: "my-sign-key", Type: "private", ModulePath: "/mnt/libmypkcs11.so.1"}},
		{"pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin",
			URI{Token: "Software PKCS#11 softtoken", Manufacturer: "Snake Oil, Inc.", PINValue: "the-pin"}},
		{"pkcs11:slot-description=Sun%20Metaslot", URI{SlotDescription: "Sun Metaslot"}},
		{"pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23",
			URI{LibraryManufacturer: "Snake Oil, Inc.", LibraryDescription: "Soft Token Library", LibraryVersion: "1.23"}},
		{"pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
			URI{Token: "A name with a substring %;", Object: "my-certificate", Type: "cert"}},
		{"pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert",
			URI{Token: "Name with a small A with acute: á", Object: "my-certificate", Type: "cert"}},
		{"pkcs11:token=my-token;x-vendor-aaa=value-a?x-vendor-bbb=value-b",
			URI{Token: "my-token", VendorPath: map[string]string{"x-vendor-aaa": "value-a"}, VendorQuery: map[string]string{"x-vendor-bbb": "value-b"}}},
		{"pkcs11:slot-id=0;slot-manufacturer=SoftHSM%20project", URI{SlotID: uintp(0), SlotManufacturer: "SoftHSM project"}},
		{"pkcs11:token=a=b", URI{Token: "a=b"}},
		{"pkcs11:id=", URI{}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseURI(%q) = %+v, want %+v", tt.in, *got, tt.want)
		}
		again, err := ParseURI(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("ParseURI(%q).String() = %q does not parse back: %+v, %v", tt.in, got.String(), again, err)
		}
	}
}

func TestParseURIRefusals(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `must start with "pkcs11:"`},
		{"pkcs11", `must start with "pkcs11:"`},
		{"file:token=a", `must start with "pkcs11:"`},
		{"pkcs11:token=a;token=b", `attribute "token" appears twice`},
		{"pkcs11:token=a;", "empty attribute"},
		{"pkcs11:;token=a", "empty attribute"},
		{"pkcs11:token", `attribute "token" has no '='`},
		{"pkcs11:tokn=a", `unknown path attribute "tokn"`},
		{"pkcs11:pin-source=x", `unknown path attribute "pin-source"`},
		{"pkcs11:?token=a", `unknown query attribute "token"`},
		{"pkcs11:token=a%2", "bad percent-encoding"},
		{"pkcs11:token=a%zz", "bad percent-encoding"},
		{"pkcs11:token=a b", `character ' ' must be percent-encoded (%20)`},
		{"pkcs11:token=a/b", `character '/' must be percent-encoded`},
		{"pkcs11:slot-id=x", `slot-id "x" is not a decimal number`},
		{"pkcs11:slot-id=-1", "is not a decimal number"},
		{"pkcs11:slot-id=99999999999999999999999", "out of range"},
		{"pkcs11:library-version=1.", "is not M or M.N"},
		{"pkcs11:library-version=a", "is not M or M.N"},
		{"pkcs11:type=secret", `type "secret" is not one of`},
		{"pkcs11:?pin-source=f&pin-value=secret", "pin-source and pin-value must not both be given"},
		{"pkcs11:x-a%20=1", "vendor attribute name"},
	}
	for _, tt := range tests {
		_, err := ParseURI(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseURI(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestParseURIHidesPINValue(t *testing.T) {
	_, err := ParseURI("pkcs11:token=a;bad?pin-value=s3cret&module-path=/x")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v shows the pin-value", err)
	}
}

func TestURIString(t *testing.T) {
	u := URI{Token: "kms partition", Object: "AWS Public Key", ID: []byte{0, 0xff}, SlotID: uintp(7), ModulePath: "/usr/lib/libCryptoki2_64.so"}
	want := "pkcs11:slot-id=7;token=kms%20partition;object=AWS%20Public%20Key;id=%00%FF?module-path=%2Fusr%2Flib%2FlibCryptoki2_64.so"
	if got := u.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !u.HasObject() || (&URI{Token: "x"}).HasObject() {
		t.Error("HasObject")
	}
}

// FuzzParseURI checks that ParseURI never panics and that what it accepts
// prints canonically and parses back to the same URI.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"pkcs11:", "pkcs11:token=kms;object=k1;type=secret-key;id=%01%02",
		"pkcs11:slot-id=4294967295;library-version=3.1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/x",
		"pkcs11:x-a=b?x-c=d&module-name=softhsm2", "pkcs11:token=%C3%A1%00", "pkcs11:?", "pkcs11:token=a?",
		"pkcs11:token=a;;", "pkcs11:id=%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		out := u.String()
		v, err := ParseURI(out)
		if err != nil {
			t.Fatalf("ParseURI(%q) ok, but its String() %q does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(u, v) {
			t.Fatalf("round trip of %q through %q: %+v != %+v", s, out, u, v)
		}
		if v.String() != out {
			t.Fatalf("String() is not canonical: %q then %q", out, v.String())
		}
	})
}
