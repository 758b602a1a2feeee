//go:build cgo

package xks

import (
	"context"
	"crypto/x509"
	"net"
	"path/filepath"
	"testing"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
	"github.com/trent-kms/trent/internal/xksclient"
)

// BenchmarkKMSEncryptThroughProxy measures KMS Encrypt of 32 bytes under
// a key of an external key store, end to end below the KMS protocol: the
// core (policy, Trent's own layer of the double encryption, the store),
// the XKS client (SigV4, HTTPS with keep-alive, the answer's checks) and
// this proxy on SoftHSM2 (SigV4, JSON, audit, AES-GCM in the token), at a
// concurrency of 16; it reports the median and 99th percentile latency.
func BenchmarkKMSEncryptThroughProxy(b *testing.B) {
	const concurrency = 16
	f := newFixture(b, fixtureOptions{sessions: concurrency})
	svc, keyID := kmsOnProxy(b, f)
	ctx := identity.WithSystem(context.Background())
	pt := make([]byte, 32)
	concurrentLatency(b, concurrency, func() error {
		_, err := svc.Encrypt(ctx, keyID, pt, nil, kms.CryptoOptions{})
		return err
	})
}

// kmsOnProxy returns a KMS core with an external key store on f's proxy
// (prefix A, its first credential), connected, and a key on f's main token
// key.
func kmsOnProxy(b *testing.B, f *fixture) (*kms.Service, string) {
	b.Helper()
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "trent.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(filepath.Join(b.TempDir(), "root.key"))
	if err != nil {
		b.Fatal(err)
	}
	cas := x509.NewCertPool()
	cas.AppendCertsFromPEM(f.ca.pem)
	svc, err := kms.New(context.Background(), kms.Config{Store: st, RootKey: rk, Region: "us-east-1", AccountID: "111122223333",
		XKS: xksclient.New(xksclient.Config{Region: "us-east-1", RootCAs: cas})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := identity.WithSystem(context.Background())
	cred := f.cfg.Stores[0].Credentials[0]
	c, err := svc.CreateCustomKeyStore(ctx, kms.CustomKeyStoreInput{
		Name: "bench", Type: kms.TypeExternalKeyStore, Connectivity: kms.ConnectivityPublic,
		URIEndpoint: "https://localhost:" + port(b, f.addr), URIPath: prefixA + "/kms/xks/v1",
		Credential: &kms.XksProxyCredential{AccessKeyID: cred.AccessKeyID, Secret: cred.SecretAccessKey}})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.ConnectCustomKeyStore(ctx, c.ID); err != nil {
		b.Fatal(err)
	}
	k, err := svc.CreateKey(ctx, kms.CreateKeyInput{Origin: kms.OriginExternalKeyStore, CustomKeyStoreID: c.ID, XksKeyID: "k1"})
	if err != nil {
		b.Fatal(err)
	}
	return svc, k.ID
}

func port(b *testing.B, addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		b.Fatal(err)
	}
	return p
}
