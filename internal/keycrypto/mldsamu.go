package keycrypto

import (
	"crypto/sha3"
	"crypto/subtle"

	"filippo.io/mldsa"
)

// ML-DSA verification from an external μ (FIPS 204 Algorithm 8,
// ML-DSA.Verify_internal, steps 1-3 and 6-13; step 5, μ = H(tr ‖ M'), is
// what the client did). filippo.io/mldsa signs from μ but verifies only
// messages, so the verifying half is written here. It handles public data
// only (public key, μ, signature), so it need not be constant-time; its
// tests check it against filippo.io/mldsa and circl signatures.

const (
	mlq   = 8380417 // the modulus q
	mlN   = 256     // coefficients per polynomial
	mlD   = 13      // dropped bits of t
	mlInv = 8347681 // 256⁻¹ mod q, the last step of NTT⁻¹
)

type mlParams struct {
	k, l, tau, beta, omega int
	lambda                 int // collision strength; c̃ is λ/4 bytes
	gamma1Bits             int // γ1 = 2^gamma1Bits
	gamma2                 int
}

func mlParamsOf(p mldsa.Parameters) *mlParams {
	switch p {
	case mldsa.MLDSA44():
		return &mlParams{k: 4, l: 4, tau: 39, beta: 78, omega: 80, lambda: 128, gamma1Bits: 17, gamma2: (mlq - 1) / 88}
	case mldsa.MLDSA65():
		return &mlParams{k: 6, l: 5, tau: 49, beta: 196, omega: 55, lambda: 192, gamma1Bits: 19, gamma2: (mlq - 1) / 32}
	case mldsa.MLDSA87():
		return &mlParams{k: 8, l: 7, tau: 60, beta: 120, omega: 75, lambda: 256, gamma1Bits: 19, gamma2: (mlq - 1) / 32}
	}
	return nil
}

type poly [mlN]uint32 // coefficients in [0, q)

// zetas[i] = 1753^brv8(i) mod q (FIPS 204 Appendix B).
var zetas = func() (z [mlN]uint32) {
	for i := range z {
		rev := 0
		for b := 0; b < 8; b++ {
			rev |= (i >> b & 1) << (7 - b)
		}
		z[i] = powMod(1753, rev)
	}
	return z
}()

func powMod(b uint64, e int) uint32 {
	r := uint64(1)
	for ; e > 0; e-- {
		r = r * b % mlq
	}
	return uint32(r)
}

func mulq(a, b uint32) uint32 { return uint32(uint64(a) * uint64(b) % mlq) }
func addq(a, b uint32) uint32 { return (a + b) % mlq }
func subq(a, b uint32) uint32 { return (a + mlq - b) % mlq }

// ntt is Algorithm 41.
func (w *poly) ntt() {
	m := 0
	for n := 128; n >= 1; n /= 2 {
		for start := 0; start < mlN; start += 2 * n {
			m++
			z := zetas[m]
			for j := start; j < start+n; j++ {
				t := mulq(z, w[j+n])
				w[j+n] = subq(w[j], t)
				w[j] = addq(w[j], t)
			}
		}
	}
}

// invNTT is Algorithm 42.
func (w *poly) invNTT() {
	m := mlN
	for n := 1; n < mlN; n *= 2 {
		for start := 0; start < mlN; start += 2 * n {
			m--
			z := mlq - zetas[m]
			for j := start; j < start+n; j++ {
				t := w[j]
				w[j] = addq(t, w[j+n])
				w[j+n] = mulq(z, subq(t, w[j+n]))
			}
		}
	}
	for j := range w {
		w[j] = mulq(w[j], mlInv)
	}
}

// bitReader reads little-endian bit fields (SimpleBitUnpack, BitUnpack).
type bitReader struct {
	b   []byte
	pos int
}

func (r *bitReader) read(bits int) uint32 {
	var v uint32
	for i := 0; i < bits; i++ {
		v |= uint32(r.b[r.pos/8]>>(r.pos%8)&1) << i
		r.pos++
	}
	return v
}

// expandA is RejNTTPoly(ρ ‖ s ‖ r) of Algorithms 30 and 32.
func expandA(rho []byte, r, s int) *poly {
	h := sha3.NewSHAKE128()
	h.Write(rho)
	h.Write([]byte{byte(s), byte(r)})
	var a poly
	var buf [3]byte
	for j := 0; j < mlN; {
		h.Read(buf[:])
		z := uint32(buf[0]) | uint32(buf[1])<<8 | uint32(buf[2]&0x7f)<<16
		if z < mlq {
			a[j] = z
			j++
		}
	}
	return &a
}

// sampleInBall is Algorithm 29.
func sampleInBall(ct []byte, tau int) *poly {
	h := sha3.NewSHAKE256()
	h.Write(ct)
	var s [8]byte
	h.Read(s[:])
	var c poly
	var j [1]byte
	for i := mlN - tau; i < mlN; i++ {
		for {
			h.Read(j[:])
			if int(j[0]) <= i {
				break
			}
		}
		c[i] = c[j[0]]
		bit := i + tau - mlN
		if s[bit/8]>>(bit%8)&1 == 1 {
			c[j[0]] = mlq - 1
		} else {
			c[j[0]] = 1
		}
	}
	return &c
}

// decodeHints is HintBitUnpack (Algorithm 21); ok is false for a malformed
// hint, which makes the signature invalid.
func decodeHints(y []byte, p *mlParams) (h [][mlN]bool, ok bool) {
	h = make([][mlN]bool, p.k)
	index := 0
	for i := 0; i < p.k; i++ {
		end := int(y[p.omega+i])
		if end < index || end > p.omega {
			return nil, false
		}
		first := index
		for ; index < end; index++ {
			if index > first && y[index-1] >= y[index] {
				return nil, false
			}
			h[i][y[index]] = true
		}
	}
	for ; index < p.omega; index++ {
		if y[index] != 0 {
			return nil, false
		}
	}
	return h, true
}

// useHint is Algorithm 40 with Decompose (Algorithm 36).
func useHint(r uint32, hint bool, gamma2 int) int {
	m := (mlq - 1) / (2 * gamma2)
	r0 := int(r) % (2 * gamma2)
	if r0 > gamma2 {
		r0 -= 2 * gamma2
	}
	var r1 int
	if int(r)-r0 == mlq-1 {
		r1, r0 = 0, r0-1
	} else {
		r1 = (int(r) - r0) / (2 * gamma2)
	}
	switch {
	case hint && r0 > 0:
		return (r1 + 1) % m
	case hint:
		return (r1 - 1 + m) % m
	}
	return r1
}

// verifyExternalMu reports whether sig is a valid ML-DSA signature of the
// message whose representative is μ (FIPS 204 Algorithm 8 from step 6).
func verifyExternalMu(pub *mldsa.PublicKey, mu, sig []byte) bool {
	p := mlParamsOf(pub.Parameters())
	if p == nil {
		return false
	}
	pk := pub.Bytes()
	ctLen := p.lambda / 4
	zBits := p.gamma1Bits + 1
	if len(mu) != muSize || len(sig) != ctLen+p.l*mlN*zBits/8+p.omega+p.k {
		return false
	}
	ct := sig[:ctLen]
	hints, ok := decodeHints(sig[len(sig)-p.omega-p.k:], p)
	if !ok {
		return false
	}
	// z, checking ‖z‖∞ < γ1 − β.
	gamma1 := 1 << p.gamma1Bits
	zr := bitReader{b: sig[ctLen:]}
	z := make([]poly, p.l)
	for i := range z {
		for j := range z[i] {
			v := gamma1 - int(zr.read(zBits))
			if v >= gamma1-p.beta || -v >= gamma1-p.beta {
				return false
			}
			z[i][j] = uint32((v + mlq) % mlq)
		}
		z[i].ntt()
	}
	c := sampleInBall(ct, p.tau)
	c.ntt()
	rho, tr := pk[:32], bitReader{b: pk[32:]}
	w1 := sha3.NewSHAKE256()
	w1.Write(mu)
	w1Bits := 6
	if p.gamma2 == (mlq-1)/32 {
		w1Bits = 4
	}
	packed := make([]byte, mlN*w1Bits/8)
	for r := 0; r < p.k; r++ {
		// w'approx[r] = NTT⁻¹(Σ_s Â[r][s]∘ẑ[s] − ĉ∘NTT(t1[r]·2^d)).
		var t1, acc poly
		for j := range t1 {
			t1[j] = tr.read(10) << mlD
		}
		t1.ntt()
		for s := 0; s < p.l; s++ {
			a := expandA(rho, r, s)
			for j := range acc {
				acc[j] = addq(acc[j], mulq(a[j], z[s][j]))
			}
		}
		for j := range acc {
			acc[j] = subq(acc[j], mulq(c[j], t1[j]))
		}
		acc.invNTT()
		clear(packed)
		for j := range acc {
			v := useHint(acc[j], hints[r][j], p.gamma2)
			for b := 0; b < w1Bits; b++ {
				bit := j*w1Bits + b
				packed[bit/8] |= byte(v>>b&1) << (bit % 8)
			}
		}
		w1.Write(packed)
	}
	got := make([]byte, ctLen)
	w1.Read(got)
	return subtle.ConstantTimeCompare(got, ct) == 1
}
