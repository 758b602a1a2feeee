package audit

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const crashChildEnv = "TRENT_AUDIT_CRASH_CHILD"

// TestKill9LosesNoAcknowledgedRecord runs writers in a child process,
// which prints each event ID once Write has returned nil, kills it with
// SIGKILL at a random moment, and checks that every acknowledged record is
// in the log, and that after reopening (which ends a torn line) new
// records read back.
func TestKill9LosesNoAcknowledgedRecord(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	for round := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9LosesNoAcknowledgedRecord$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || sc.Text() != "ready" {
			t.Fatalf("child did not start: %q", sc.Text())
		}
		time.Sleep(time.Duration(20+rand.IntN(200)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		var acked []string
		for sc.Scan() {
			acked = append(acked, sc.Text())
		}
		cmd.Wait()

		l, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		r := testRecord("after-restart", round)
		if err := l.Write(r); err != nil {
			t.Fatal(err)
		}
		l.Close()
		recs, bad := readAll(t, path)
		in := map[string]bool{}
		for _, rec := range recs {
			in[rec.EventID] = true
		}
		for _, id := range acked {
			if !in[id] {
				t.Fatalf("round %d: acknowledged record %s is not in the log (%d acknowledged)", round, id, len(acked))
			}
		}
		if !in[r.EventID] {
			t.Fatalf("round %d: the first record after restart is not readable", round)
		}
		for _, u := range bad {
			if u.Unterminated {
				t.Fatalf("round %d: %v left unterminated", round, u)
			}
		}
		t.Logf("round %d: %d acknowledged, %d records, %d torn lines terminated", round, len(acked), len(recs), len(bad))
	}
}

// crashChild writes records from several goroutines until killed, some of
// them large so that a write(2) is more likely to be cut short.
func crashChild(path string) {
	l, err := Open(path)
	if err != nil {
		panic(err)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	ack := func(id string) {
		mu.Lock()
		out.WriteString(id + "\n")
		out.Flush() // the parent counts it acknowledged once it is in the pipe
		mu.Unlock()
	}
	ack("ready")
	big, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", 256<<10)})
	for w := range 4 {
		go func() {
			for i := 0; ; i++ {
				r := testRecord("child", i)
				if w == 0 && i%8 == 0 {
					r.RequestParameters = big
				}
				if err := l.Write(r); err != nil {
					panic(err)
				}
				ack(r.EventID)
			}
		}()
	}
	select {}
}
