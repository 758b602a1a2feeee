// trent admin root-key create and show, and how they print the key.

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/rootkey"
)

func rootKeyCreate(_ context.Context, cfg rootkey.PKCS11Config, jsonOut bool, stdout io.Writer) error {
	info, err := rootkey.CreatePKCS11Key(cfg)
	if err != nil {
		return err
	}
	if jsonOut {
		return printRootKeyJSON(stdout, info)
	}
	fmt.Fprintf(stdout, "created the root key in token %q (slot %d, serial %s)\n", info.Token.Label, info.Token.Slot, info.Token.Serial)
	printRootKey(stdout, info, cfg.Token)
	return nil
}

func rootKeyShow(_ context.Context, cfg rootkey.PKCS11Config, jsonOut bool, stdout io.Writer) error {
	cfg.CacheSize = -1
	h, err := rootkey.OpenPKCS11(cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	// What the server does with it, once.
	sealed, err := h.Seal([]byte("trent root key check"), rootkey.RootKeyCheckContext)
	if err == nil {
		var pt []byte
		pt, err = h.Unseal(sealed, rootkey.RootKeyCheckContext)
		if err == nil && string(pt) != "trent root key check" {
			err = errors.New("the token's AES-GCM does not round-trip")
		}
	}
	if err != nil {
		return fmt.Errorf("the root key was found but sealing with it failed: %w", err)
	}
	info := h.Info()
	if jsonOut {
		return printRootKeyJSON(stdout, info)
	}
	fmt.Fprintf(stdout, "root key in token %q (slot %d, serial %s): sealed and unsealed a test value in the token\n", info.Token.Label, info.Token.Slot, info.Token.Serial)
	printRootKey(stdout, info, cfg.Token)
	return nil
}

func printRootKeyJSON(w io.Writer, info rootkey.PKCS11KeyInfo) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(info)
}

func printRootKey(w io.Writer, info rootkey.PKCS11KeyInfo, tcfg pkcs11.Config) {
	fmt.Fprintf(w, "  label:       %s\n", info.Label)
	fmt.Fprintf(w, "  id:          %s\n", info.KeyID)
	fmt.Fprintf(w, "  root key ID: %s\n", info.ID)
	if info.KCV != nil {
		fmt.Fprintf(w, "  KCV:         %s (%s)\n", info.KCV.Value, info.KCV.Method)
	}
	var attrs []string
	a := info.Attrs
	for _, b := range []struct {
		name string
		v    *bool
	}{{"token", a.Token}, {"private", a.Private}, {"sensitive", a.Sensitive}, {"extractable", a.Extractable},
		{"never_extractable", a.NeverExtractable}, {"modifiable", a.Modifiable}, {"encrypt", a.Encrypt}, {"decrypt", a.Decrypt}} {
		if b.v != nil {
			attrs = append(attrs, fmt.Sprintf("%s=%v", b.name, *b.v))
		}
	}
	fmt.Fprintf(w, "  attributes:  %s\n", strings.Join(attrs, " "))
	module := tcfg.Module
	if module == "" {
		module = "MODULE"
	}
	fmt.Fprintf(w, "start the server with: trent server --root-key '%s' --pkcs11-module %s (PIN in TRENT_PKCS11_PIN or --pin-file)\n", info.URI, module)
}
