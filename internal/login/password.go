// Package login holds console passwords: their argon2id hashes
// (password.go), the password policy they must meet (policy.go), and the
// sign-in check that turns a password into the principal an access key of
// the same user gives (signin.go, throttle.go).
package login

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters, kept in every hash so that they
// can change without invalidating the hashes made before.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are the parameters of new hashes: 19 MiB, 2 passes, 1
// lane, OWASP's first argon2id configuration, equivalent in strength to
// its 46 MiB/1 pass one. One hash takes about 30–50 ms of one core. A
// 2-core server cannot give sign-in more than that anyway, and a small
// memory cost keeps hashSlots' worst case (4 at once, 76 MiB) modest;
// raise Memory rather than Time on a bigger server.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on the parameters a stored hash may name, so that a corrupted or
// planted hash cannot make a verify allocate gigabytes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 16
	minKeyLen  = 16
	maxKeyLen  = 64
	minSaltLen = 8
	maxSaltLen = 64
)

// hashSlots bounds the argon2 computations running at once, and so the
// memory they take: a burst of sign-ins queues instead of exhausting RAM.
var hashSlots = make(chan struct{}, 4)

// ErrMalformedHash is a stored hash that is not an argon2id PHC string
// this package accepts.
var ErrMalformedHash = errors.New("login: malformed password hash")

var b64 = base64.RawStdEncoding

// Hash returns the argon2id hash of password with DefaultParams and a
// fresh random salt, in the PHC string format
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> (unpadded
// standard base64).
func Hash(password string) string { return HashWith(password, DefaultParams) }

// HashWith is Hash with the parameters p.
func HashWith(password string, p Params) string {
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	key := derive(password, salt, p)
	defer clear(key)
	return format(p, salt, key)
}

// format writes a PHC string.
func format(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the PHC string phc, comparing
// in constant time. ErrMalformedHash if phc cannot be read.
func Verify(password, phc string) (bool, error) {
	p, salt, want, err := parse(phc)
	if err != nil {
		return false, err
	}
	defer clear(want)
	got := derive(password, salt, p)
	defer clear(got)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// derivations counts argon2 runs, for the tests that check that every
// sign-in costs the same.
var derivations atomic.Int64

// derive runs argon2id on a copy of password that it wipes afterwards
// (the string itself cannot be wiped), holding one of hashSlots.
func derive(password string, salt []byte, p Params) []byte {
	pw := []byte(password)
	defer clear(pw)
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	derivations.Add(1)
	return argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// parse reads a PHC string, refusing parameters out of bounds.
func parse(phc string) (p Params, salt, key []byte, err error) {
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, ErrMalformedHash
	}
	// The parameters in PHC's order, each once: m, t, p.
	kvs := strings.Split(f[3], ",")
	if len(kvs) != 3 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var n [3]uint64
	for i, kv := range kvs {
		name, val, _ := strings.Cut(kv, "=")
		v, perr := strconv.ParseUint(val, 10, 32)
		if perr != nil || name != "mtp"[i:i+1] {
			return Params{}, nil, nil, ErrMalformedHash
		}
		n[i] = v
	}
	m, t, par := n[0], n[1], n[2]
	if salt, err = b64.Strict().DecodeString(f[4]); err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	if key, err = b64.Strict().DecodeString(f[5]); err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(par), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if par < 1 || par > 255 || t < 1 || t > maxTime || m < 8*par || m > maxMemory ||
		len(salt) < minSaltLen || len(salt) > maxSaltLen || len(key) < minKeyLen || len(key) > maxKeyLen {
		clear(key)
		return Params{}, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}

var dummy struct {
	once sync.Once
	hash string
}

// VerifyDummy does the work of one Verify with DefaultParams against a
// hash no password matches (a random key, not derived from anything), so
// that a sign-in for a user who does not exist, or has no password, takes
// as long as one with a wrong password.
func VerifyDummy(password string) {
	dummy.once.Do(func() {
		p := DefaultParams
		salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
		rand.Read(salt)
		rand.Read(key)
		dummy.hash = format(p, salt, key)
	})
	Verify(password, dummy.hash)
}
