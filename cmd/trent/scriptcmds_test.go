package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/trent-kms/trent/internal/server"
)

// Module paths of the Debian packages softhsm2 and libnss3, as
// scripts/setup-test-deps.sh installs them.
var (
	softHSMModule = "/usr/lib/softhsm/libsofthsm2.so"
	nssModule     = "/usr/lib/" + map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i386"}[runtime.GOARCH] +
		"-linux-gnu/libsoftokn3.so"
)

// scriptCondition answers [softhsm] and [nss]: whether this build has
// PKCS#11 (cgo) and the module and tool to make a token are installed.
// With CI=true a missing component is an error, which fails the script
// instead of letting it skip.
func scriptCondition(cond string) (bool, error) {
	var module, tool string
	switch cond {
	case "softhsm":
		module, tool = softHSMModule, "softhsm2-util"
	case "nss":
		module, tool = nssModule, "certutil"
	default:
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	err := errors.New("trent is built without cgo, so without PKCS#11")
	if cgoEnabled {
		err = nil
		if _, serr := os.Stat(module); serr != nil {
			err = serr
		} else if _, lerr := exec.LookPath(tool); lerr != nil {
			err = lerr
		}
	}
	if err != nil && os.Getenv("CI") == "true" {
		return false, fmt.Errorf("[%s] is required when CI=true (scripts/setup-test-deps.sh installs it): %v", cond, err)
	}
	return err == nil, nil
}

// cmdTrentServer starts a Trent server for the script on 127.0.0.1:0,
// with its data dir $WORK/trent-data, and stops it when the script ends.
// It sets what a user's shell would: AWS_ENDPOINT_URL_KMS and TRENT_URL
// (the server), AWS_SHARED_CREDENTIALS_FILE (the root's credentials),
// AWS_DEFAULT_REGION and AWS_REGION.
func cmdTrentServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: trent-server")
	}
	dir := ts.MkAbs("trent-data")
	logFile, err := os.Create(ts.MkAbs("server.log"))
	ts.Check(err)
	srv, err := server.New(context.Background(), server.Config{
		DataDir: dir, Region: "us-east-1", AccountID: "111122223333",
		SweepInterval: time.Second, WrappingKeyPool: 0,
		Logger: slog.New(slog.NewTextHandler(logFile, nil)),
	})
	if err != nil {
		ts.Fatalf("server.New: %v (see $WORK/server.log)", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	ts.Defer(func() {
		if err := srv.Close(); err != nil {
			ts.Logf("server Close: %v", err)
		}
		if err := <-done; err != nil {
			ts.Logf("server Serve: %v", err)
		}
		logFile.Close()
	})
	addr := ln.Addr().String()
	url := "http://" + addr
	ts.Setenv("TRENT_URL", url)
	ts.Setenv("AWS_ENDPOINT_URL_KMS", url)
	ts.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "root-credentials"))
	ts.Setenv("AWS_DEFAULT_REGION", "us-east-1")
	ts.Setenv("AWS_REGION", "us-east-1")
}

// cmdSoftHSMToken makes a SoftHSM2 token labelled args[0] in $WORK/softhsm
// with user PIN 1234 and selects it for trent hsm and trent byok:
// SOFTHSM2_CONF, TRENT_PKCS11_MODULE, TRENT_PKCS11_TOKEN_LABEL and
// TRENT_PKCS11_PIN_FILE ($WORK/pin).
func cmdSoftHSMToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: softhsm-token LABEL")
	}
	dir := ts.MkAbs("softhsm")
	ts.Check(os.MkdirAll(filepath.Join(dir, "tokens"), 0o700))
	conf := filepath.Join(dir, "softhsm2.conf")
	ts.Check(os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600))
	ts.Setenv("SOFTHSM2_CONF", conf)
	ts.Check(ts.Exec("softhsm2-util", "--init-token", "--free", "--label", args[0], "--so-pin", "12345678", "--pin", "1234"))
	pin := ts.MkAbs("pin")
	ts.Check(os.WriteFile(pin, []byte("1234\n"), 0o600))
	ts.Setenv("TRENT_PKCS11_MODULE", softHSMModule)
	ts.Setenv("TRENT_PKCS11_TOKEN_LABEL", args[0])
	ts.Setenv("TRENT_PKCS11_PIN_FILE", pin)
}

// cmdNSSDB makes an NSS softokn database with an empty password in
// $WORK/nssdb and selects it with TRENT_NSS_DB.
func cmdNSSDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: nss-db")
	}
	db := ts.MkAbs("nssdb")
	ts.Check(os.MkdirAll(db, 0o700))
	ts.Check(ts.Exec("certutil", "-N", "-d", "sql:"+db, "--empty-password"))
	ts.Setenv("TRENT_NSS_DB", db)
}
