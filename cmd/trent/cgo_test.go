//go:build cgo

package main

// cgoEnabled says whether this build has PKCS#11 (package pkcs11 needs cgo).
const cgoEnabled = true
