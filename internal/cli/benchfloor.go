package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/trent-kms/trent/internal/floor"
)

// runBenchFloor serves the benchmark floor (package floor) until ctx
// ends: `trent bench-floor --listen ADDR --addr-file FILE`, started by
// `make bench` only. It is left out of the help on purpose: it checks no
// signature and must never face a network.
func runBenchFloor(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent bench-floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to listen on")
	addrFile := fs.String("addr-file", "", "write the address listened on to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "trent bench-floor:", err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		ln.Close()
		fmt.Fprintln(stderr, "trent bench-floor: listens on loopback only")
		return 2
	}
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()+"\n"), 0o600); err != nil {
			fmt.Fprintln(stderr, "trent bench-floor:", err)
			return 1
		}
	}
	srv := &http.Server{Handler: floor.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "trent bench-floor:", err)
		return 1
	}
	return 0
}
