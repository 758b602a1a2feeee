package ciphertext

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// xksVector pins the version 2 layout and the AAD construction: both are
// data at rest (blobs) or shared with proxies (the AAD), so neither may
// change silently.
var xksVector = struct {
	keyID, materialID, iv, meta, tag, inner string
	arn                                     string
	ec                                      map[string]string
	blob, aad                               string
}{
	keyID:      "000102030405060708090a0b0c0d0e0f",
	materialID: "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
	iv:         "0c0c0c0c0c0c0c0c0c0c0c0c",
	meta:       "7631",
	tag:        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	arn:        "arn:aws:kms:eu-west-1:123456789012:key/00010203-0405-0607-0809-0a0b0c0d0e0f",
	ec:         map[string]string{"app": "x"},
}

func xksParts(t *testing.T) *XKS {
	t.Helper()
	x := &XKS{}
	hex.Decode(x.KeyID[:], []byte(xksVector.keyID))
	hex.Decode(x.MaterialID[:], []byte(xksVector.materialID))
	x.IV, _ = hex.DecodeString(xksVector.iv)
	x.Metadata, _ = hex.DecodeString(xksVector.meta)
	x.Tag, _ = hex.DecodeString(xksVector.tag)
	x.Ciphertext = bytes.Repeat([]byte{0xee}, Overhead+1)
	return x
}

const (
	wantXKSBlobPrefix = "02000102030405060708090a0b0c0d0e0fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0c0c0c0c0c0c0c0c0c0c0c0c0c027631f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
	wantXKSAAD        = "7472656e7420786b732076320002000102030405060708090a0b0c0d0e0fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0000004b61726e3a6177733a6b6d733a65752d776573742d313a3132333435363738393031323a6b65792f30303031303230332d303430352d303630372d303830392d306130623063306430653066296e81c431b9bfc6bf049f5d81dd0d5747e2fab1a5b44be2a1a76e5b50b39db0"
)

func TestXKSVector(t *testing.T) {
	x := xksParts(t)
	blob, err := x.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := wantXKSBlobPrefix + hex.EncodeToString(x.Ciphertext)
	if got := hex.EncodeToString(blob); got != want {
		t.Fatalf("blob = %s\nwant   %s", got, want)
	}
	if got := hex.EncodeToString(XKSAAD(x.KeyID, x.MaterialID, xksVector.arn, xksVector.ec)); got != wantXKSAAD {
		t.Fatalf("aad = %s\nwant  %s", got, wantXKSAAD)
	}
	back, err := ParseXKS(blob)
	if err != nil || back.KeyID != x.KeyID || back.MaterialID != x.MaterialID || !bytes.Equal(back.IV, x.IV) ||
		!bytes.Equal(back.Metadata, x.Metadata) || !bytes.Equal(back.Tag, x.Tag) || !bytes.Equal(back.Ciphertext, x.Ciphertext) {
		t.Fatalf("ParseXKS = %+v, %v", back, err)
	}
	k, m, err := KeyOf(blob)
	if err != nil || k != x.KeyID || m != x.MaterialID {
		t.Fatalf("KeyOf = %x %x %v", k, m, err)
	}
}

func TestXKSAADBinds(t *testing.T) {
	x := xksParts(t)
	base := XKSAAD(x.KeyID, x.MaterialID, xksVector.arn, xksVector.ec)
	other := map[string][]byte{
		"arn":     XKSAAD(x.KeyID, x.MaterialID, xksVector.arn+"x", xksVector.ec),
		"context": XKSAAD(x.KeyID, x.MaterialID, xksVector.arn, map[string]string{"app": "y"}),
		"empty":   XKSAAD(x.KeyID, x.MaterialID, xksVector.arn, nil),
		"key":     XKSAAD([KeyIDSize]byte{1}, x.MaterialID, xksVector.arn, xksVector.ec),
	}
	for name, aad := range other {
		if bytes.Equal(aad, base) {
			t.Errorf("%s does not change the AAD", name)
		}
	}
}

func TestParseXKSRejects(t *testing.T) {
	x := xksParts(t)
	good, _ := x.Marshal()
	tests := map[string][]byte{
		"empty":           nil,
		"version 1":       append([]byte{1}, good[1:]...),
		"IV length 13":    func() []byte { b := bytes.Clone(good); b[49] = 13; return b }(),
		"metadata 21":     func() []byte { b := bytes.Clone(good); b[50+12] = 21; return b }(),
		"short inner":     good[:len(good)-2],
		"prefix only":     good[:xksPrefix],
		"truncated at IV": good[:55],
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseXKS(b); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	for name, bad := range map[string]func(*XKS){
		"IV 11":       func(x *XKS) { x.IV = x.IV[:11] },
		"tag 15":      func(x *XKS) { x.Tag = x.Tag[:15] },
		"metadata 21": func(x *XKS) { x.Metadata = make([]byte, 21) },
		"short inner": func(x *XKS) { x.Ciphertext = x.Ciphertext[:Overhead-1] },
	} {
		t.Run("marshal "+name, func(t *testing.T) {
			x := xksParts(t)
			bad(x)
			if _, err := x.Marshal(); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func FuzzParseXKS(f *testing.F) {
	x := &XKS{IV: make([]byte, 12), Tag: make([]byte, 16), Ciphertext: make([]byte, Overhead)}
	good, _ := x.Marshal()
	f.Add(good)
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ParseXKS(b)
		if err != nil {
			return
		}
		// Anything that parses must marshal back to the same bytes.
		again, err := x.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("parsed blob does not marshal identically")
		}
	})
}
