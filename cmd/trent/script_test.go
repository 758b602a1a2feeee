package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The scripts in testdata/script run the trent command as a user does —
// command line, expected output, expected exit status — against throwaway
// tokens and servers. `exec trent …` runs this test binary as trent's main
// (testscript.Main re-executes it under that name), so the scripts test
// the real command line, flag parsing and exit codes included.
//
// Commands the scripts get besides testscript's own (see scriptcmds_test.go):
//
//	trent-server            start a Trent server for this script (in the test process)
//	softhsm-token LABEL     make a SoftHSM2 token with user PIN 1234
//	nss-db                  make an NSS softokn database with an empty password
//
// and conditions [softhsm] and [nss]: whether the token can be made. They
// are false only when CI is not "true"; in CI a missing component fails
// the script, since scripts/setup-test-deps.sh installs it.
//
// To rewrite the expected output of cmp lines after a deliberate change:
// go test ./cmd/trent -run TestScripts -update (then review the diff).

var update = flag.Bool("update", false, "rewrite the scripts' expected output where cmp fails")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"trent": main})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               setupScript,
		Condition:           scriptCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"trent-server":  cmdTrentServer,
			"softhsm-token": cmdSoftHSMToken,
			"nss-db":        cmdNSSDB,
		},
		UpdateScripts: *update,
	})
}

// setupScript gives every script an AWS configuration of its own: no
// shared files of the user running the tests, no profile, no endpoint.
func setupScript(e *testscript.Env) error {
	for _, kv := range [][2]string{
		{"AWS_CONFIG_FILE", os.DevNull}, {"AWS_SHARED_CREDENTIALS_FILE", os.DevNull},
		{"AWS_EC2_METADATA_DISABLED", "true"}, {"AWS_MAX_ATTEMPTS", "1"},
		{"TRENT_DATA_DIR", e.WorkDir + "/trent-data"},
	} {
		e.Setenv(kv[0], kv[1])
	}
	return nil
}
