package login

import (
	"os"
	"strings"
	"testing"
)

// realDefaults are DefaultParams as shipped. The tests run with cheap ones
// (the dummy verify of unknown users too), which the race detector would
// otherwise make take seconds each.
var realDefaults = DefaultParams

func TestMain(m *testing.M) {
	DefaultParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

func TestHashVerify(t *testing.T) {
	if h := HashWith("x", realDefaults); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q: not the PHC form with the documented parameters", h)
	}
	h := Hash("Corr3ct-horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q: not made with DefaultParams", h)
	}
	if h2 := Hash("Corr3ct-horse"); h2 == h {
		t.Error("two hashes of one password are equal: no random salt")
	}
	// Parameters travel in the hash: one made with others still verifies.
	cheap := HashWith("Corr3ct-horse", Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 8, KeyLen: 16})
	if !strings.Contains(cheap, "$m=64,t=1,p=2$") {
		t.Fatalf("hash %q does not carry its parameters", cheap)
	}
	for _, tc := range []struct {
		name, password, hash string
		want                 bool
	}{
		{"right", "Corr3ct-horse", h, true},
		{"wrong", "Corr3ct-horsf", h, false},
		{"case", "corr3ct-horse", h, false},
		{"empty", "", h, false},
		{"prefix", "Corr3ct-hors", h, false},
		{"other parameters", "Corr3ct-horse", cheap, true},
		{"other parameters, wrong", "x", cheap, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := Verify(tc.password, tc.hash)
			if err != nil || ok != tc.want {
				t.Errorf("Verify = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	good := HashWith("pw", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	f := strings.Split(good, "$")
	with := func(i int, v string) string {
		g := append([]string(nil), f...)
		g[i] = v
		return strings.Join(g, "$")
	}
	for name, h := range map[string]string{
		"empty":               "",
		"argon2i":             with(1, "argon2i"),
		"old version":         with(2, "v=16"),
		"params out of order": with(3, "t=1,m=64,p=1"),
		"missing param":       with(3, "m=64,t=1"),
		"extra param":         with(3, "m=64,t=1,p=1,x=1"),
		"zero lanes":          with(3, "m=64,t=1,p=0"),
		"zero passes":         with(3, "m=64,t=0,p=1"),
		"huge memory":         with(3, "m=4194304,t=1,p=1"),
		"memory < 8p":         with(3, "m=8,t=1,p=2"),
		"padded salt":         with(4, f[4]+"=="),
		"short salt":          with(4, "AAAA"),
		"short key":           with(5, "AAAAAAAA"),
		"bad base64":          with(5, "!!!!"),
		"trailing field":      good + "$",
	} {
		t.Run(name, func(t *testing.T) {
			if ok, err := Verify("pw", h); err != ErrMalformedHash || ok {
				t.Errorf("Verify(%q) = %v, %v; want ErrMalformedHash", h, ok, err)
			}
		})
	}
	if ok, err := Verify("pw", good); !ok || err != nil {
		t.Fatalf("the unaltered hash does not verify: %v, %v", ok, err)
	}
}
