// Package xkstest is a small XKS proxy for tests: the four APIs of the
// spec over HTTPS with SigV4 verification, AES-256-GCM keys held in
// memory, and failure injection (slow answers, bad JSON, error answers,
// wrong lengths, wrong plaintexts). It is for tests only: keys live in
// memory and the server certificate is httptest's.
package xkstest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/xksclient"
)

// Credentials the stub accepts.
const (
	AccessKeyID = "ABCDEFGHIJKLMNOPQRST2345"
	Secret      = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="
	Path        = "/kms/xks/v1"
	// BadPrefix is a path prefix the stub refuses.
	BadPrefix = "/bad"
)

// Fault is an injected failure; the zero Fault is none.
type Fault struct {
	Delay     time.Duration // sleep before answering
	Status    int           // answer this status with ErrorName (or Body)
	ErrorName string
	Body      string // answer 200 (or Status) with this raw body
	// ShortTag makes Encrypt answer a 15-byte tag; WrongPlaintext makes
	// Decrypt answer a plaintext that is not the one encrypted.
	ShortTag, WrongPlaintext bool
	APIs                     []string // the APIs the fault applies to; all if empty
}

// Key is an external key of the stub.
type Key struct {
	Material []byte
	Status   string   // ENABLED or DISABLED
	Usage    []string // ENCRYPT, DECRYPT, ...
	Spec     string   // AES_256
}

// Server is a running stub.
type Server struct {
	*httptest.Server
	Region string

	mu    sync.Mutex
	keys  map[string]*Key
	fault Fault
	calls []Call
}

// Call is one request the stub received.
type Call struct {
	API      string
	Metadata xksclient.RequestMetadata
}

// New starts a stub with one enabled key, "key-1", and stops it when the
// test ends.
func New(t testing.TB, region string) *Server {
	s := &Server{Region: region, keys: map[string]*Key{}}
	s.AddKey("key-1")
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// CAs returns a pool that trusts the stub's certificate.
func (s *Server) CAs() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

// Proxy returns the stub as the client addresses it.
func (s *Server) Proxy() xksclient.Proxy {
	return xksclient.Proxy{Endpoint: s.URL, Path: Path, AccessKeyID: AccessKeyID, Secret: Secret}
}

// AddKey adds an enabled AES-256 key for encryption and decryption.
func (s *Server) AddKey(id string) *Key {
	k := &Key{Material: make([]byte, 32), Status: "ENABLED", Usage: []string{"ENCRYPT", "DECRYPT"}, Spec: "AES_256"}
	rand.Read(k.Material)
	s.mu.Lock()
	s.keys[id] = k
	s.mu.Unlock()
	return k
}

// SetKey changes key id under the stub's lock.
func (s *Server) SetKey(id string, fn func(*Key)) {
	s.mu.Lock()
	fn(s.keys[id])
	s.mu.Unlock()
}

// SetFault injects f into every following answer (the zero Fault clears).
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	// Any path prefix is served (one proxy, many logical key stores),
	// except BadPrefix, which answers InvalidUriPathException.
	i := strings.Index(r.URL.Path, Path+"/")
	if i < 0 || strings.HasPrefix(r.URL.Path, BadPrefix+"/") {
		fail(w, 404, "InvalidUriPathException")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path[i:], Path+"/")
	if !ok {
		fail(w, 404, "InvalidUriPathException")
		return
	}
	if !s.verify(r, body) {
		fail(w, 401, "AuthenticationFailedException")
		return
	}
	var in struct {
		RequestMetadata     *xksclient.RequestMetadata `json:"requestMetadata"`
		Plaintext           []byte                     `json:"plaintext"`
		Ciphertext          []byte                     `json:"ciphertext"`
		IV                  []byte                     `json:"initializationVector"`
		Tag                 []byte                     `json:"authenticationTag"`
		AAD                 []byte                     `json:"additionalAuthenticatedData"`
		CiphertextMetadata  []byte                     `json:"ciphertextMetadata"`
		EncryptionAlgorithm string                     `json:"encryptionAlgorithm"`
	}
	if json.Unmarshal(body, &in) != nil || in.RequestMetadata == nil {
		fail(w, 400, "ValidationException")
		return
	}
	api, keyID := "GetHealthStatus", ""
	if rest != "health" {
		parts := strings.Split(rest, "/")
		if len(parts) != 3 || parts[0] != "keys" {
			fail(w, 404, "InvalidUriPathException")
			return
		}
		keyID = parts[1]
		api = map[string]string{"metadata": "GetKeyMetadata", "encrypt": "Encrypt", "decrypt": "Decrypt"}[parts[2]]
		if api == "" {
			fail(w, 404, "InvalidUriPathException")
			return
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{API: api, Metadata: *in.RequestMetadata})
	f := s.fault
	var k Key
	kp := s.keys[keyID]
	if kp != nil {
		k = *kp
	}
	s.mu.Unlock()
	applies := len(f.APIs) == 0
	for _, a := range f.APIs {
		applies = applies || a == api
	}
	if !applies {
		f = Fault{}
	}
	time.Sleep(f.Delay)
	switch {
	case f.Body != "":
		w.WriteHeader(max(f.Status, 200))
		io.WriteString(w, f.Body)
		return
	case f.ErrorName != "":
		fail(w, f.Status, f.ErrorName)
		return
	}
	if api == "GetHealthStatus" {
		reply(w, map[string]any{"xksProxyFleetSize": 1, "xksProxyVendor": "Trent tests", "xksProxyModel": "xkstest",
			"ekmVendor": "memory", "ekmFleetDetails": []map[string]string{{"id": "m1", "model": "map", "healthStatus": "ACTIVE"}}})
		return
	}
	if kp == nil {
		fail(w, 404, "KeyNotFoundException")
		return
	}
	if api == "GetKeyMetadata" {
		reply(w, map[string]any{"keySpec": k.Spec, "keyUsage": k.Usage, "keyStatus": k.Status})
		return
	}
	if k.Status != "ENABLED" {
		fail(w, 400, "InvalidStateException")
		return
	}
	block, _ := aes.NewCipher(k.Material)
	gcm, _ := cipher.NewGCM(block)
	if api == "Encrypt" {
		iv := make([]byte, 12)
		rand.Read(iv)
		meta := []byte("v1")
		sealed := gcm.Seal(nil, iv, in.Plaintext, gcmAAD(in.AAD, meta))
		n := len(sealed) - 16
		tag := sealed[n:]
		if f.ShortTag {
			tag = tag[:15]
		}
		reply(w, map[string]any{"ciphertext": sealed[:n], "initializationVector": iv, "authenticationTag": tag, "ciphertextMetadata": meta})
		return
	}
	if len(in.IV) != 12 || len(in.Tag) != 16 {
		fail(w, 400, "InvalidCiphertextException")
		return
	}
	pt, err := gcm.Open(nil, in.IV, append(bytes.Clone(in.Ciphertext), in.Tag...), gcmAAD(in.AAD, in.CiphertextMetadata))
	if err != nil {
		fail(w, 400, "InvalidCiphertextException")
		return
	}
	if f.WrongPlaintext && len(pt) > 0 {
		pt[0] ^= 1
	}
	reply(w, map[string]any{"plaintext": pt})
}

// gcmAAD is the spec's recommended AAD for the key manager: lengths and
// values of the KMS AAD and the ciphertext metadata.
func gcmAAD(aad, meta []byte) []byte {
	out := binary.BigEndian.AppendUint16(nil, uint16(len(aad)))
	out = append(out, aad...)
	out = append(out, byte(len(meta)))
	return append(out, meta...)
}

// verify checks the SigV4 signature with Trent's verifier (whose
// canonical form package sigv4's tests pin against the AWS test suite and
// aws-sdk-go-v2), for the stub's credential and region, at the request's
// own time: the stub checks the signature, not the clock.
func (s *Server) verify(r *http.Request, body []byte) bool {
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	v := &sigv4.Verifier{Service: xksclient.Service, Region: s.Region, Now: func() time.Time { return t },
		Lookup: func(_ context.Context, id string) ([]byte, error) {
			if id != AccessKeyID {
				return nil, sigv4.ErrUnknownAccessKey
			}
			return []byte(Secret), nil
		}}
	_, err = v.Verify(r.Context(), r, body)
	return err == nil
}

func fail(w http.ResponseWriter, status int, name string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorName": name, "errorMessage": "xkstest"})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
