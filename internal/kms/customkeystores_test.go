package kms_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
	"github.com/trent-kms/trent/internal/xksclient"
	"github.com/trent-kms/trent/internal/xksclient/xkstest"
)

// testBudget is the proxy call budget of the core's tests; "slow" faults
// sleep slowDelay, beyond it.
const (
	testBudget = 750 * time.Millisecond
	slowDelay  = time.Second
)

// newXKSService returns a Service whose XKS client trusts a fresh stub
// proxy (xkstest), and the stub.
func newXKSService(t testing.TB) (*kms.Service, *xkstest.Server) {
	t.Helper()
	stub := xkstest.New(t, testRegion)
	st, err := sqlite.Open(t.TempDir() + "/trent.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(t.TempDir() + "/root.key")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := kms.New(context.Background(), kms.Config{
		Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount,
		// A budget above the spec's 250 ms keeps the tests steady on a
		// loaded machine; xksclient's tests hold the default budget.
		XKS: xksclient.New(xksclient.Config{Region: testRegion, RootCAs: stub.CAs(), Timeout: testBudget}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc, stub
}

// storeInput is a valid CreateCustomKeyStore input for the stub.
func storeInput(stub *xkstest.Server, name string) kms.CustomKeyStoreInput {
	return kms.CustomKeyStoreInput{
		Name: name, Type: kms.TypeExternalKeyStore, Connectivity: kms.ConnectivityPublic,
		URIEndpoint: stub.URL, URIPath: xkstest.Path,
		Credential: &kms.XksProxyCredential{AccessKeyID: xkstest.AccessKeyID, Secret: xkstest.Secret},
	}
}

// connectedStore creates and connects a store on the stub.
func connectedStore(t testing.TB, svc *kms.Service, stub *xkstest.Server) string {
	t.Helper()
	c, err := svc.CreateCustomKeyStore(sysCtx(), storeInput(stub, "xks"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ConnectCustomKeyStore(sysCtx(), c.ID); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func connState(t *testing.T, svc *kms.Service, id string) (string, string) {
	t.Helper()
	page, _, err := svc.DescribeCustomKeyStores(sysCtx(), id, "", "", 0)
	if err != nil || len(page) != 1 {
		t.Fatalf("describe = %v, %v", page, err)
	}
	return page[0].ConnectionState, page[0].ConnectionErrorCode
}

func TestCustomKeyStoreLifecycle(t *testing.T) {
	svc, stub := newXKSService(t)
	ctx := sysCtx()
	c, err := svc.CreateCustomKeyStore(ctx, storeInput(stub, "xks"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ID) != 21 || c.ID[:4] != "cks-" {
		t.Fatalf("ID = %q", c.ID)
	}
	if st, _ := connState(t, svc, c.ID); st != kms.ConnDisconnected {
		t.Fatalf("state after create = %s", st)
	}
	// The secret is stored sealed, never in clear.
	if string(c.SealedXksProxySecret) == xkstest.Secret || len(c.SealedXksProxySecret) == 0 {
		t.Fatal("secret not sealed")
	}
	if calls := stub.Calls(); len(calls) != 1 || calls[0].API != "GetHealthStatus" || calls[0].Metadata.KmsOperation != "CreateCustomKeyStore" {
		t.Fatalf("create did not check health: %+v", calls)
	}
	wantKind(t, svc.DisconnectCustomKeyStore(ctx, c.ID), kms.ErrCustomKeyStoreInvalidState, "")
	if err := svc.ConnectCustomKeyStore(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if st, code := connState(t, svc, c.ID); st != kms.ConnConnected || code != "" {
		t.Fatalf("state after connect = %s %s", st, code)
	}
	if err := svc.ConnectCustomKeyStore(ctx, c.ID); err != nil {
		t.Fatalf("connect when connected: %v", err)
	}
	// Endpoint changes need DISCONNECTED; name and path do not.
	wantKind(t, svc.UpdateCustomKeyStore(ctx, c.ID, kms.CustomKeyStoreInput{URIEndpoint: stub.URL}), kms.ErrCustomKeyStoreInvalidState, "")
	if err := svc.UpdateCustomKeyStore(ctx, c.ID, kms.CustomKeyStoreInput{Name: "renamed"}); err != nil {
		t.Fatal(err)
	}
	if page, _, err := svc.DescribeCustomKeyStores(ctx, "", "renamed", "", 0); err != nil || len(page) != 1 || page[0].ID != c.ID {
		t.Fatalf("describe by name = %v, %v", page, err)
	}
	k := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternalKeyStore, CustomKeyStoreID: c.ID, XksKeyID: "key-1"})
	wantKind(t, svc.DeleteCustomKeyStore(ctx, c.ID), kms.ErrCustomKeyStoreInvalidState, "")
	if err := svc.DisconnectCustomKeyStore(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	key, err := svc.DescribeKey(ctx, k)
	if err != nil || svc.State(key) != kms.StateUnavailable || key.CustomKeyStoreID != c.ID || key.XksKeyID != "key-1" {
		t.Fatalf("key in disconnected store: state %s, %+v, %v", svc.State(key), key, err)
	}
	_, err = svc.Encrypt(ctx, k, []byte("x"), nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, svc.KeyARN(k)+" is unavailable.")
	wantKind(t, svc.DeleteCustomKeyStore(ctx, c.ID), kms.ErrCustomKeyStoreHasCMKs, "")
	wantKind(t, svc.DeleteCustomKeyStore(ctx, "cks-00000000000000000"), kms.ErrCustomKeyStoreAbsent, "Custom key store 'cks-00000000000000000' does not exist")
}

func TestDeleteEmptyCustomKeyStore(t *testing.T) {
	svc, stub := newXKSService(t)
	c, err := svc.CreateCustomKeyStore(sysCtx(), storeInput(stub, "xks"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteCustomKeyStore(sysCtx(), c.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.DescribeCustomKeyStores(sysCtx(), c.ID, "", "", 0)
	wantKind(t, err, kms.ErrCustomKeyStoreAbsent, "")
}

func TestCreateCustomKeyStoreRefusals(t *testing.T) {
	svc, stub := newXKSService(t)
	if _, err := svc.CreateCustomKeyStore(sysCtx(), storeInput(stub, "taken")); err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "https://" + l.Addr().String()
	l.Close()
	tests := []struct {
		name  string
		edit  func(*kms.CustomKeyStoreInput)
		fault xkstest.Fault
		kind  error
	}{
		{"CloudHSM", func(in *kms.CustomKeyStoreInput) {
			*in = kms.CustomKeyStoreInput{Name: "h", Type: kms.TypeCloudHSM, CloudHsmClusterID: "cluster-1234567890a"}
		}, xkstest.Fault{}, kms.ErrCloudHsmClusterNotFound},
		{"default type is CloudHSM", func(in *kms.CustomKeyStoreInput) { in.Type = "" }, xkstest.Fault{}, kms.ErrValidation},
		{"no connectivity", func(in *kms.CustomKeyStoreInput) { in.Connectivity = "" }, xkstest.Fault{}, kms.ErrValidation},
		{"no credential", func(in *kms.CustomKeyStoreInput) { in.Credential = nil }, xkstest.Fault{}, kms.ErrValidation},
		{"VPC", func(in *kms.CustomKeyStoreInput) {
			in.Connectivity, in.VpcEndpointServiceName = kms.ConnectivityVPC, "com.amazonaws.vpce.eu-west-1.vpce-svc-1"
		}, xkstest.Fault{}, kms.ErrXksProxyVpcEndpointSvcNotFound},
		{"endpoint with a path", func(in *kms.CustomKeyStoreInput) { in.URIEndpoint += "/x" }, xkstest.Fault{}, kms.ErrValidation},
		{"http", func(in *kms.CustomKeyStoreInput) { in.URIEndpoint = "http://localhost" }, xkstest.Fault{}, kms.ErrValidation},
		{"name in use", func(in *kms.CustomKeyStoreInput) { in.Name = "taken" }, xkstest.Fault{}, kms.ErrCustomKeyStoreNameInUse},
		{"URI in use", func(in *kms.CustomKeyStoreInput) {}, xkstest.Fault{}, kms.ErrXksProxyURIInUse},
		{"wrong secret", func(in *kms.CustomKeyStoreInput) {
			in.URIPath = "/p1/kms/xks/v1"
			in.Credential = &kms.XksProxyCredential{AccessKeyID: xkstest.AccessKeyID, Secret: "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc="}
		}, xkstest.Fault{}, kms.ErrXksProxyIncorrectCredential},
		{"wrong path", func(in *kms.CustomKeyStoreInput) { in.URIPath = xkstest.BadPrefix + xkstest.Path }, xkstest.Fault{}, kms.ErrXksProxyInvalidConfiguration},
		{"unreachable", func(in *kms.CustomKeyStoreInput) { in.URIEndpoint = closed }, xkstest.Fault{}, kms.ErrXksProxyURIUnreachable},
		{"slow", func(in *kms.CustomKeyStoreInput) { in.URIPath = "/p3/kms/xks/v1" }, xkstest.Fault{Delay: slowDelay}, kms.ErrXksProxyURIUnreachable},
		{"bad JSON", func(in *kms.CustomKeyStoreInput) { in.URIPath = "/p4/kms/xks/v1" }, xkstest.Fault{Body: "nope"}, kms.ErrXksProxyInvalidResponse},
		{"internal", func(in *kms.CustomKeyStoreInput) { in.URIPath = "/p5/kms/xks/v1" }, xkstest.Fault{Status: 500, ErrorName: "InternalException"}, kms.ErrXksProxyInvalidResponse},
		{"all unavailable", func(in *kms.CustomKeyStoreInput) { in.URIPath = "/p6/kms/xks/v1" }, xkstest.Fault{Body: `{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"UNAVAILABLE"}]}`}, kms.ErrXksProxyURIUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := storeInput(stub, "new")
			tt.edit(&in)
			stub.SetFault(tt.fault)
			defer stub.SetFault(xkstest.Fault{})
			_, err := svc.CreateCustomKeyStore(sysCtx(), in)
			wantKind(t, err, tt.kind, "")
		})
	}
}

func TestConnectFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault xkstest.Fault
		code  string
	}{
		{"slow", xkstest.Fault{Delay: slowDelay}, "XKS_PROXY_TIMED_OUT"},
		{"bad JSON", xkstest.Fault{Body: "{"}, "XKS_PROXY_INVALID_RESPONSE"},
		{"authentication", xkstest.Fault{Status: 401, ErrorName: "AuthenticationFailedException"}, "INVALID_CREDENTIALS"},
		{"URI path", xkstest.Fault{Status: 404, ErrorName: "InvalidUriPathException"}, "XKS_PROXY_INVALID_CONFIGURATION"},
		{"throttled", xkstest.Fault{Status: 429, ErrorName: "ThrottlingException"}, "XKS_PROXY_TIMED_OUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, stub := newXKSService(t)
			c, err := svc.CreateCustomKeyStore(sysCtx(), storeInput(stub, "xks"))
			if err != nil {
				t.Fatal(err)
			}
			stub.SetFault(tt.fault)
			if err := svc.ConnectCustomKeyStore(sysCtx(), c.ID); err != nil {
				t.Fatalf("connect = %v; AWS's succeeds and the store shows FAILED", err)
			}
			if st, code := connState(t, svc, c.ID); st != kms.ConnFailed || code != tt.code {
				t.Fatalf("state = %s %s, want FAILED %s", st, code, tt.code)
			}
			stub.SetFault(xkstest.Fault{})
			wantKind(t, svc.ConnectCustomKeyStore(sysCtx(), c.ID), kms.ErrCustomKeyStoreInvalidState, "")
			if err := svc.DisconnectCustomKeyStore(sysCtx(), c.ID); err != nil {
				t.Fatal(err)
			}
			if err := svc.ConnectCustomKeyStore(sysCtx(), c.ID); err != nil {
				t.Fatal(err)
			}
			if st, code := connState(t, svc, c.ID); st != kms.ConnConnected || code != "" {
				t.Fatalf("after reconnect = %s %s", st, code)
			}
		})
	}
}

func TestDescribeCustomKeyStoresPaging(t *testing.T) {
	svc, stub := newXKSService(t)
	for i, p := range []string{"/a/kms/xks/v1", "/b/kms/xks/v1", "/c/kms/xks/v1"} {
		in := storeInput(stub, string(rune('a'+i)))
		in.URIPath = p
		// The stub serves only xkstest.Path: answer health for any path.
		stub.SetFault(xkstest.Fault{Body: `{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"ACTIVE"}]}`})
		if _, err := svc.CreateCustomKeyStore(sysCtx(), in); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	marker := ""
	for {
		page, next, err := svc.DescribeCustomKeyStores(sysCtx(), "", "", marker, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			got = append(got, c.Name)
		}
		if next == "" {
			break
		}
		marker = next
	}
	if len(got) != 3 {
		t.Fatalf("paged = %v", got)
	}
	_, _, err := svc.DescribeCustomKeyStores(sysCtx(), "", "", "garbage", 2)
	wantKind(t, err, kms.ErrInvalidMarker, "")
	_, _, err = svc.DescribeCustomKeyStores(sysCtx(), "", "nope", "", 0)
	wantKind(t, err, kms.ErrCustomKeyStoreAbsent, "")
}

func TestGenerateRandomInCustomKeyStore(t *testing.T) {
	svc, stub := newXKSService(t)
	c, err := svc.CreateCustomKeyStore(sysCtx(), storeInput(stub, "xks"))
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, svc.CheckRandomSource(sysCtx(), c.ID), kms.ErrUnsupported, "")
	wantKind(t, svc.CheckRandomSource(sysCtx(), "cks-00000000000000000"), kms.ErrCustomKeyStoreAbsent, "")
}
