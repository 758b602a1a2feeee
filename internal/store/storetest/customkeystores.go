package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// cksID returns the i-th test custom key store ID; IDs sort by i.
func cksID(i int) string { return fmt.Sprintf("cks-%017x", i) }

// customKeyStore returns an external key store with every field set.
func customKeyStore(id, name string) *store.CustomKeyStore {
	return &store.CustomKeyStore{
		ID:                             id,
		Name:                           name,
		Type:                           "EXTERNAL_KEY_STORE",
		ConnectionState:                "FAILED",
		ConnectionErrorCode:            "XKS_PROXY_TIMED_OUT",
		CreatedAt:                      t0,
		XksProxyURIEndpoint:            "https://xks.example.com:8443",
		XksProxyURIPath:                "/prefix/kms/xks/v1",
		XksProxyConnectivity:           "VPC_ENDPOINT_SERVICE",
		XksProxyVpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
		XksProxyAccessKeyID:            "BETWEEN2TENAND3TENCHARACTERS",
		SealedXksProxySecret:           []byte{0, 1, 0xfe, 0xff, 42},
	}
}

// checkCustomKeyStore reports every field of got that differs from want,
// Version included.
func checkCustomKeyStore(t *testing.T, what string, got, want *store.CustomKeyStore) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: nil custom key store", what)
	}
	var d diff
	d.str("ID", got.ID, want.ID)
	d.str("Name", got.Name, want.Name)
	d.str("Type", got.Type, want.Type)
	d.str("ConnectionState", got.ConnectionState, want.ConnectionState)
	d.str("ConnectionErrorCode", got.ConnectionErrorCode, want.ConnectionErrorCode)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.str("XksProxyURIEndpoint", got.XksProxyURIEndpoint, want.XksProxyURIEndpoint)
	d.str("XksProxyURIPath", got.XksProxyURIPath, want.XksProxyURIPath)
	d.str("XksProxyConnectivity", got.XksProxyConnectivity, want.XksProxyConnectivity)
	d.str("XksProxyVpcEndpointServiceName", got.XksProxyVpcEndpointServiceName, want.XksProxyVpcEndpointServiceName)
	d.str("XksProxyAccessKeyID", got.XksProxyAccessKeyID, want.XksProxyAccessKeyID)
	d.bytes("SealedXksProxySecret", got.SealedXksProxySecret, want.SealedXksProxySecret)
	if got.Version != want.Version {
		d.add("Version", got.Version, want.Version)
	}
	d.report(t, what)
}

func mustGetCustomKeyStore(t *testing.T, s store.Store, id string) *store.CustomKeyStore {
	t.Helper()
	c, err := s.GetCustomKeyStore(t.Context(), id)
	if err != nil {
		t.Fatalf("GetCustomKeyStore(%s): %v", id, err)
	}
	return c
}

// xksKey returns a key of origin EXTERNAL_KEY_STORE in the custom key
// store cks.
func xksKey(id, cks string) *store.Key {
	k := minimalKey(id)
	k.Origin, k.CustomKeyStoreID, k.XksKeyID = "EXTERNAL_KEY_STORE", cks, "xks-key-"+id
	return k
}

// testCustomKeyStores covers the CustomKeyStoreStore methods, and the
// rules that tie keys to their custom key store.
func testCustomKeyStores(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CRUD", func(t *testing.T) {
		s := open(t)
		want := customKeyStore(cksID(1), "store-one")
		in := customKeyStore(cksID(1), "store-one")
		in.CreatedAt = t0.In(time.FixedZone("x", -7200))
		in.Version = 42 // ignored
		checkErr(t, "CreateCustomKeyStore", s.CreateCustomKeyStore(t.Context(), in), nil)
		if in.Version != 1 {
			t.Errorf("CreateCustomKeyStore set Version %d, want 1", in.Version)
		}
		in.SealedXksProxySecret[0] ^= 0xff // the store must have copied it
		want.Version = 1
		got := mustGetCustomKeyStore(t, s, cksID(1))
		checkCustomKeyStore(t, "GetCustomKeyStore", got, want)
		got.SealedXksProxySecret[0] ^= 0xff // nor hand out its own
		checkCustomKeyStore(t, "GetCustomKeyStore again", mustGetCustomKeyStore(t, s, cksID(1)), want)

		for _, c := range []*store.CustomKeyStore{customKeyStore(cksID(1), "other"), customKeyStore(cksID(2), "store-one")} {
			checkErr(t, "CreateCustomKeyStore("+c.ID+", "+c.Name+")", s.CreateCustomKeyStore(t.Context(), c), store.ErrExists)
		}
		// Names compare exactly: another case is another name.
		checkErr(t, "CreateCustomKeyStore(STORE-ONE)", s.CreateCustomKeyStore(t.Context(), customKeyStore(cksID(2), "STORE-ONE")), nil)

		updated, err := s.UpdateCustomKeyStore(t.Context(), cksID(1), func(c *store.CustomKeyStore) error {
			c.ConnectionState, c.ConnectionErrorCode = "CONNECTED", ""
			c.SealedXksProxySecret = []byte("rotated")
			return nil
		})
		checkErr(t, "UpdateCustomKeyStore", err, nil)
		want.ConnectionState, want.ConnectionErrorCode, want.SealedXksProxySecret, want.Version = "CONNECTED", "", []byte("rotated"), 2
		checkCustomKeyStore(t, "UpdateCustomKeyStore's result", updated, want)
		checkCustomKeyStore(t, "updated store", mustGetCustomKeyStore(t, s, cksID(1)), want)

		fnErr := &fnError{"refused"}
		_, err = s.UpdateCustomKeyStore(t.Context(), cksID(1), func(c *store.CustomKeyStore) error {
			c.Name = "not written"
			return fnErr
		})
		if err != fnErr {
			t.Errorf("UpdateCustomKeyStore with a failing fn: %v, want fn's error unchanged", err)
		}
		_, err = s.UpdateCustomKeyStore(t.Context(), cksID(1), func(c *store.CustomKeyStore) error {
			c.ID = cksID(9)
			return nil
		})
		if err == nil {
			t.Error("UpdateCustomKeyStore changing the ID succeeded")
		}
		_, err = s.UpdateCustomKeyStore(t.Context(), cksID(9), func(*store.CustomKeyStore) error { return nil })
		checkErr(t, "UpdateCustomKeyStore of a missing store", err, store.ErrNotFound)
		checkCustomKeyStore(t, "store after refused updates", mustGetCustomKeyStore(t, s, cksID(1)), want)

		checkErr(t, "DeleteCustomKeyStore", s.DeleteCustomKeyStore(t.Context(), cksID(1)), nil)
		_, err = s.GetCustomKeyStore(t.Context(), cksID(1))
		checkErr(t, "GetCustomKeyStore after delete", err, store.ErrNotFound)
		checkErr(t, "DeleteCustomKeyStore again", s.DeleteCustomKeyStore(t.Context(), cksID(1)), store.ErrNotFound)
		// The name is free again; the ID starts again at version 1.
		again := customKeyStore(cksID(1), "store-one")
		checkErr(t, "CreateCustomKeyStore again", s.CreateCustomKeyStore(t.Context(), again), nil)
		checkCustomKeyStore(t, "re-created store", mustGetCustomKeyStore(t, s, cksID(1)), again)
	})

	t.Run("Rename", func(t *testing.T) {
		s := open(t)
		for i, name := range []string{"alpha", "beta"} {
			checkErr(t, "CreateCustomKeyStore", s.CreateCustomKeyStore(t.Context(), customKeyStore(cksID(i), name)), nil)
		}
		rename := func(id, name string) error {
			_, err := s.UpdateCustomKeyStore(t.Context(), id, func(c *store.CustomKeyStore) error {
				c.Name = name
				return nil
			})
			return err
		}
		checkErr(t, "rename to a taken name", rename(cksID(0), "beta"), store.ErrExists)
		if c := mustGetCustomKeyStore(t, s, cksID(0)); c.Name != "alpha" || c.Version != 1 {
			t.Errorf("after a refused rename: %q version %d, want \"alpha\" version 1", c.Name, c.Version)
		}
		checkErr(t, "rename to its own name", rename(cksID(0), "alpha"), nil)
		checkErr(t, "rename to a free name", rename(cksID(0), "gamma"), nil)
		if c := mustGetCustomKeyStore(t, s, cksID(0)); c.Name != "gamma" || c.Version != 3 {
			t.Errorf("after two renames: %q version %d, want \"gamma\" version 3", c.Name, c.Version)
		}
		// The old name is free.
		checkErr(t, "rename to the freed name", rename(cksID(1), "alpha"), nil)
		checkErr(t, "create under the freed name", s.CreateCustomKeyStore(t.Context(), customKeyStore(cksID(2), "beta")), nil)
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		for _, i := range []int{3, 1, 4, 0, 2} {
			checkErr(t, "CreateCustomKeyStore", s.CreateCustomKeyStore(t.Context(), customKeyStore(cksID(i), fmt.Sprint("store ", 9-i))), nil)
		}
		for _, tc := range []struct {
			after string
			limit int
			want  []int
		}{
			{"", 100, []int{0, 1, 2, 3, 4}},
			{"", 2, []int{0, 1}},
			{cksID(1), 2, []int{2, 3}},
			{cksID(3), 100, []int{4}},
			{cksID(4), 100, nil},
			{"", 0, nil},
			{"", -1, nil},
		} {
			t.Run(fmt.Sprintf("after=%s,limit=%d", tc.after, tc.limit), func(t *testing.T) {
				got, err := s.ListCustomKeyStores(t.Context(), tc.after, tc.limit)
				checkErr(t, "ListCustomKeyStores", err, nil)
				var gotIDs, wantIDs []string
				for _, c := range got {
					gotIDs = append(gotIDs, c.ID)
				}
				for _, i := range tc.want {
					wantIDs = append(wantIDs, cksID(i))
				}
				if !slices.Equal(gotIDs, wantIDs) {
					t.Fatalf("ListCustomKeyStores(%q, %d) = %q, want %q", tc.after, tc.limit, gotIDs, wantIDs)
				}
				for _, c := range got {
					want := customKeyStore(c.ID, c.Name)
					want.Version = 1
					checkCustomKeyStore(t, "listed "+c.ID, c, want)
				}
			})
		}
	})

	t.Run("Keys", func(t *testing.T) {
		s := open(t)
		for i := range 2 {
			checkErr(t, "CreateCustomKeyStore", s.CreateCustomKeyStore(t.Context(), customKeyStore(cksID(i), fmt.Sprint("store", i))), nil)
		}
		checkErr(t, "CreateKey in a missing store", s.CreateKey(t.Context(), xksKey(keyID(9), cksID(9))), store.ErrNotFound)
		_, err := s.GetKey(t.Context(), keyID(9))
		checkErr(t, "GetKey of the refused key", err, store.ErrNotFound)

		k := xksKey(keyID(1), cksID(0))
		mustCreate(t, s, k, minimalKey(keyID(2)), xksKey(keyID(3), cksID(1)))
		got := mustGet(t, s, keyID(1))
		if got.CustomKeyStoreID != cksID(0) || got.XksKeyID != k.XksKeyID {
			t.Errorf("key read back in store %q, XKS key %q; want %q, %q", got.CustomKeyStoreID, got.XksKeyID, cksID(0), k.XksKeyID)
		}
		// One external key, one KMS key per store; another store may use it.
		taken := xksKey(keyID(4), cksID(0))
		taken.XksKeyID = k.XksKeyID
		var inUse *store.XksKeyInUseError
		if err := s.CreateKey(t.Context(), taken); !errors.As(err, &inUse) || inUse.KeyID != keyID(1) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateKey with a taken XksKeyID: %v, want an XksKeyInUseError naming %s", err, keyID(1))
		}
		_, err = s.GetKey(t.Context(), keyID(4))
		checkErr(t, "GetKey of the refused key", err, store.ErrNotFound)
		elsewhere := xksKey(keyID(5), cksID(1))
		elsewhere.XksKeyID = k.XksKeyID
		mustCreate(t, s, elsewhere)
		checkErr(t, "DeleteKey", s.DeleteKey(t.Context(), keyID(5)), nil)

		err = s.DeleteCustomKeyStore(t.Context(), cksID(0))
		checkErr(t, "DeleteCustomKeyStore with a key", err, store.ErrHasKeys)
		checkErr(t, "DeleteCustomKeyStore's refusal", err, store.ErrConflict)
		mustGetCustomKeyStore(t, s, cksID(0))
		checkErr(t, "DeleteKey", s.DeleteKey(t.Context(), keyID(1)), nil)
		checkErr(t, "DeleteCustomKeyStore once empty", s.DeleteCustomKeyStore(t.Context(), cksID(0)), nil)
		// The other store's key is untouched, and still holds its store.
		checkErr(t, "DeleteCustomKeyStore of the other", s.DeleteCustomKeyStore(t.Context(), cksID(1)), store.ErrHasKeys)
	})
}

// testDeleteCustomKeyStoreVersusCreateKey races DeleteCustomKeyStore with
// CreateKey naming the store: never both succeed, so that no key is left
// in a store that no longer exists.
func testDeleteCustomKeyStoreVersusCreateKey(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	s, b := open(t)
	for r := range raceRounds {
		cks := customKeyStore(cksID(r), fmt.Sprint("racing", r))
		checkErr(t, "CreateCustomKeyStore", s.CreateCustomKeyStore(t.Context(), cks), nil)
		k := xksKey(keyID(r), cks.ID)
		errs := race(
			func() error { return s.DeleteCustomKeyStore(t.Context(), cks.ID) },
			func() error { return b.CreateKey(t.Context(), k) },
		)
		deleted, created := errs[0] == nil, errs[1] == nil
		switch {
		case deleted && created:
			t.Fatalf("round %d: DeleteCustomKeyStore and CreateKey both succeeded", r)
		case !deleted && !errors.Is(errs[0], store.ErrHasKeys):
			t.Fatalf("round %d: DeleteCustomKeyStore: %v, want nil or ErrHasKeys", r, errs[0])
		case !created && !errors.Is(errs[1], store.ErrNotFound):
			t.Fatalf("round %d: CreateKey: %v, want nil or ErrNotFound", r, errs[1])
		case !deleted && !created:
			t.Fatalf("round %d: both failed: %v; %v", r, errs[0], errs[1])
		}
		if created {
			mustGetCustomKeyStore(t, s, cks.ID)
		}
	}
}

// testOwnerRaces checks, with calls racing from a barrier, that a record
// is never created for an owner deleted at the same time: a login profile
// for a user, a key for a custom key store.
func testOwnerRaces(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	t.Run("DeleteUserVersusCreateLoginProfile", func(t *testing.T) { testDeleteUserVersusCreateLoginProfile(t, open) })
	t.Run("DeleteCustomKeyStoreVersusCreateKey", func(t *testing.T) { testDeleteCustomKeyStoreVersusCreateKey(t, open) })
	t.Run("CreateKeyVersusCreateKeyOfOneXksKey", func(t *testing.T) { testCreateKeysOfOneXksKey(t, open) })
}

// testCreateKeysOfOneXksKey races two CreateKeys taking one external key
// of a custom key store: exactly one succeeds.
func testCreateKeysOfOneXksKey(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	s, b := open(t)
	cks := customKeyStore(cksID(0), "shared")
	checkErr(t, "CreateCustomKeyStore", s.CreateCustomKeyStore(t.Context(), cks), nil)
	for r := range raceRounds {
		k1, k2 := xksKey(keyID(2*r), cks.ID), xksKey(keyID(2*r+1), cks.ID)
		k2.XksKeyID = k1.XksKeyID
		errs := race(
			func() error { return s.CreateKey(t.Context(), k1) },
			func() error { return b.CreateKey(t.Context(), k2) },
		)
		var inUse *store.XksKeyInUseError
		switch {
		case errs[0] == nil && errs[1] == nil:
			t.Fatalf("round %d: both CreateKeys took external key %s", r, k1.XksKeyID)
		case errs[0] != nil && errs[1] != nil:
			t.Fatalf("round %d: both failed: %v; %v", r, errs[0], errs[1])
		case !errors.As(errors.Join(errs[0], errs[1]), &inUse):
			t.Fatalf("round %d: the refusal is %v, %v; want an XksKeyInUseError", r, errs[0], errs[1])
		}
	}
}
