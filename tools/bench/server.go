package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// How long the server may take to start listening, and to stop after
// SIGTERM before it is killed.
const (
	startTimeout = 20 * time.Second
	stopTimeout  = 15 * time.Second
)

// credentialsFile is where trent server writes the account root's access
// key on first start, inside its data directory.
const credentialsFile = "root-credentials"

// server is a trent server subprocess with its own temporary data
// directory.
type server struct {
	cmd    *exec.Cmd
	dir    string
	exited chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, once exited is closed
	logw   *prefixWriter

	Endpoint  string // http://127.0.0.1:port
	AccessKey string
	SecretKey string
}

// startServer runs `bin server` on a free loopback port with a fresh data
// directory, waits until it listens and reads its root credentials. The
// server's log goes to logTo, each line prefixed. The caller must call
// stop, also when startServer fails after the process started (it then
// returns a non-nil server).
func startServer(bin, databaseURL string, logTo io.Writer) (*server, error) {
	dir, err := os.MkdirTemp("", "trent-bench-")
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	addrFile := filepath.Join(dir, "addr")
	s := &server{dir: dir, exited: make(chan struct{}), logw: &prefixWriter{w: logTo, prefix: "trent server: "}}
	args := []string{"server",
		"--listen", "127.0.0.1:0",
		"--data-dir", dataDir,
		"--addr-file", addrFile,
		"--log-level", "warn"}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	addr, err := s.start(bin, args, addrFile)
	if err != nil {
		return s, err
	}
	s.Endpoint = "http://" + addr
	f, err := os.Open(filepath.Join(dataDir, credentialsFile))
	if err != nil {
		return s, fmt.Errorf("reading the server's root credentials: %w", err)
	}
	defer f.Close()
	s.AccessKey, s.SecretKey, err = parseCredentials(f)
	if err != nil {
		return s, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return s, nil
}

// start runs bin with args and waits for the address it writes to
// addrFile.
func (s *server) start(bin string, args []string, addrFile string) (string, error) {
	s.cmd = exec.Command(bin, args...)
	// The server takes its settings from the flags alone.
	s.cmd.Env = withoutTrentEnv(os.Environ())
	s.cmd.Stdout = s.logw
	s.cmd.Stderr = s.logw
	if err := s.cmd.Start(); err != nil {
		s.err = err
		close(s.exited)
		return "", fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	return s.waitForAddr(addrFile)
}

// startFloor runs `bin bench-floor` (package floor: Encrypt's JSON and
// AES-GCM with nothing else) on a free loopback port. It checks no
// signature, so any credentials do. The caller must call stop, also when
// startFloor fails after the process started.
func startFloor(bin string, logTo io.Writer) (*server, error) {
	dir, err := os.MkdirTemp("", "trent-bench-floor-")
	if err != nil {
		return nil, err
	}
	addrFile := filepath.Join(dir, "addr")
	s := &server{dir: dir, exited: make(chan struct{}), logw: &prefixWriter{w: logTo, prefix: "trent bench-floor: "}}
	addr, err := s.start(bin, []string{"bench-floor", "--listen", "127.0.0.1:0", "--addr-file", addrFile}, addrFile)
	if err != nil {
		return s, err
	}
	s.Endpoint, s.AccessKey, s.SecretKey = "http://"+addr, "AKIAFLOOR00000000000", "floor-checks-no-signature"
	return s, nil
}

// withoutTrentEnv drops TRENT_* variables, which would configure the
// server under test behind the flags' back.
func withoutTrentEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TRENT_") {
			out = append(out, kv)
		}
	}
	return out
}

// waitForAddr polls for the address file until it holds a complete line,
// the process exits or startTimeout passes.
func (s *server) waitForAddr(path string) (string, error) {
	deadline := time.After(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			return strings.TrimSpace(string(b)), nil
		}
		select {
		case <-s.exited:
			return "", fmt.Errorf("trent server exited before listening: %v", s.err)
		case <-deadline:
			return "", fmt.Errorf("trent server did not write %s within %v", path, startTimeout)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM, waits for the process to exit (killing it after
// stopTimeout) and removes the temporary directory. It reports an exit
// other than a clean one.
func (s *server) stop() error {
	defer os.RemoveAll(s.dir)
	defer s.logw.Flush()
	select {
	case <-s.exited:
		return fmt.Errorf("trent server had already exited: %v", s.err)
	default:
	}
	// An error means the process has just exited; exited tells.
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("trent server: %v", s.err)
		}
		return nil
	case <-time.After(stopTimeout):
		s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("trent server did not stop within %v of SIGTERM; killed", stopTimeout)
	}
}

// CPU returns the server process's CPU time so far.
func (s *server) CPU() (time.Duration, error) {
	return processCPU(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
}

// parseCredentials reads the [default] profile's access key from an AWS
// shared-credentials file.
func parseCredentials(r io.Reader) (accessKey, secretKey string, err error) {
	sc := bufio.NewScanner(r)
	profile := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			profile = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || profile != "default" {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			accessKey = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secretKey = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", err
	}
	if accessKey == "" || secretKey == "" {
		return "", "", errors.New("no aws_access_key_id and aws_secret_access_key in a [default] profile")
	}
	return accessKey, secretKey, nil
}

// processCPU returns the user+system CPU time of the process whose
// /proc/<pid>/stat (or /proc/self/stat) is at path.
func processCPU(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	utime, stime, err := parseProcStat(string(b))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return time.Duration(utime+stime) * time.Second / time.Duration(clockTicks()), nil
}

// parseProcStat returns utime and stime, fields 14 and 15 of a
// /proc/<pid>/stat line, in clock ticks. Field 2, the command name in
// parentheses, may itself contain spaces and parentheses, so the fields
// are counted from the last ')'.
func parseProcStat(line string) (utime, stime uint64, err error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed stat line: no ')' after the command name")
	}
	rest := strings.Fields(line[i+1:]) // rest[0] is field 3, the state
	const utimeField, stimeField, firstField = 14, 15, 3
	if len(rest) <= stimeField-firstField {
		return 0, 0, fmt.Errorf("malformed stat line: %d fields after the command name", len(rest))
	}
	if utime, err = strconv.ParseUint(rest[utimeField-firstField], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("utime: %w", err)
	}
	if stime, err = strconv.ParseUint(rest[stimeField-firstField], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("stime: %w", err)
	}
	return utime, stime, nil
}

// clockTicks is the number of clock ticks per second that /proc/<pid>/stat
// counts CPU time in: `getconf CLK_TCK`, or 100 (its value on every common
// Linux) if getconf fails.
var clockTicks = sync.OnceValue(func() int64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return 100
})

// prefixWriter writes each complete line written to it to w, after
// prefix. It is used by one goroutine at a time (exec's copier, then
// Flush after the process has exited).
type prefixWriter struct {
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i])
		p.buf = p.buf[i+1:]
	}
}

// Flush writes a last line that has no newline.
func (p *prefixWriter) Flush() {
	if len(p.buf) > 0 {
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf)
		p.buf = nil
	}
}
