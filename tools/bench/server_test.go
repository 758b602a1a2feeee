package main

import (
	"strings"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	const file = "# written by trent\n[other]\naws_access_key_id = WRONG\n\n[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = se/cr+et=\n"
	id, secret, err := parseCredentials(strings.NewReader(file))
	if err != nil || id != "AKIDEXAMPLE" || secret != "se/cr+et=" {
		t.Errorf("parseCredentials = %q, %q, %v", id, secret, err)
	}
	if _, _, err := parseCredentials(strings.NewReader("[default]\naws_access_key_id = A\n")); err == nil {
		t.Error("parseCredentials without a secret succeeded")
	}
}
