package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// result is one scenario's measured window.
type result struct {
	Name        string  `json:"name"`
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate,omitempty"` // -rate, calls/s; 0 = closed loop
	Ops         int     `json:"ops"`
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	MeanMs      float64 `json:"mean_ms"`
	P50Ms       float64 `json:"p50_ms"`
	P90Ms       float64 `json:"p90_ms"`
	P99Ms       float64 `json:"p99_ms"`
	P999Ms      float64 `json:"p999_ms"`
	MaxMs       float64 `json:"max_ms"`
	// CPU milliseconds per 1,000 calls; nil when not known (the server's
	// with -endpoint, or either without /proc).
	ServerCPUPer1k *float64 `json:"server_cpu_ms_per_1k"`
	ClientCPUPer1k *float64 `json:"client_cpu_ms_per_1k"`
}

// header describes the run, for the first output line and the JSON.
type header struct {
	GoVersion   string  `json:"go_version"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
	NumCPU      int     `json:"nproc"`
	Concurrency int     `json:"concurrency"`
	Duration    string  `json:"duration"`
	Warmup      string  `json:"warmup"`
	Size        int     `json:"size"`
	Rate        float64 `json:"rate"`
	Endpoint    string  `json:"endpoint"`
	Server      string  `json:"server,omitempty"` // the trent binary, when bench started it
	Store       string  `json:"store,omitempty"`  // embedded or postgres, when bench started the server
}

// newResult computes a scenario's figures from its sorted latencies, the
// window's wall time and the CPU time server and client used in it (< 0
// when unknown).
func newResult(name string, c int, rate float64, sorted []time.Duration, elapsed, serverCPU, clientCPU time.Duration) result {
	r := result{
		Name:        name,
		Concurrency: c,
		Rate:        rate,
		Ops:         len(sorted),
		Seconds:     elapsed.Seconds(),
		P50Ms:       ms(percentile(sorted, 50)),
		P90Ms:       ms(percentile(sorted, 90)),
		P99Ms:       ms(percentile(sorted, 99)),
		P999Ms:      ms(percentile(sorted, 99.9)),
		MaxMs:       ms(percentile(sorted, 100)),
	}
	if elapsed > 0 {
		r.OpsPerSec = float64(r.Ops) / elapsed.Seconds()
	}
	if r.Ops > 0 {
		var sum time.Duration
		for _, d := range sorted {
			sum += d
		}
		r.MeanMs = ms(sum / time.Duration(r.Ops))
	}
	r.ServerCPUPer1k = per1k(serverCPU, r.Ops)
	r.ClientCPUPer1k = per1k(clientCPU, r.Ops)
	return r
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value that at least p% of the values
// are less than or equal to. It returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(rank, 1), n)-1]
}

// mergeSorted concatenates the workers' latencies and sorts them.
func mergeSorted(perWorker [][]time.Duration) []time.Duration {
	n := 0
	for _, l := range perWorker {
		n += len(l)
	}
	all := make([]time.Duration, 0, n)
	for _, l := range perWorker {
		all = append(all, l...)
	}
	slices.Sort(all)
	return all
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// per1k is cpu in milliseconds per 1,000 ops, or nil if cpu is unknown
// (negative) or there were no ops.
func per1k(cpu time.Duration, ops int) *float64 {
	if cpu < 0 || ops == 0 {
		return nil
	}
	v := ms(cpu) * 1000 / float64(ops)
	return &v
}

// String is the header line.
func (h header) String() string {
	s := fmt.Sprintf("# trent bench  GOMAXPROCS=%d  nproc=%d  %s  c=%d  d=%s  warmup=%s  size=%d",
		h.GOMAXPROCS, h.NumCPU, h.GoVersion, h.Concurrency, h.Duration, h.Warmup, h.Size)
	if h.Rate > 0 {
		s += fmt.Sprintf("  rate=%g/s", h.Rate)
	}
	if h.Store != "" {
		s += "  store=" + h.Store
	}
	return s + "  endpoint=" + h.Endpoint
}

// String is the result's line, its fields padded so that the lines of
// one run line up.
func (r result) String() string {
	cpu := func(v *float64) string {
		if v == nil {
			return "n/a"
		}
		return fmt.Sprintf("%.1fms/1k", *v)
	}
	fields := []struct {
		text  string
		width int
	}{
		{r.Name, 18},
		{fmt.Sprintf("c=%d", r.Concurrency), 5},
		{fmt.Sprintf("ops=%d", r.Ops), 11},
		{fmt.Sprintf("ops/s=%.1f", r.OpsPerSec), 14},
		{fmt.Sprintf("p50=%.2fms", r.P50Ms), 12},
		{fmt.Sprintf("p99=%.2fms", r.P99Ms), 12},
		{"server_cpu=" + cpu(r.ServerCPUPer1k), 24},
		{"client_cpu=" + cpu(r.ClientCPUPer1k), 0},
	}
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%-*s ", f.width, f.text)
	}
	return strings.TrimRight(b.String(), " ")
}

// runJSON is one run's header and results, as -json writes them.
type runJSON struct {
	header
	Results []result `json:"results"`
}

// writeJSON writes v, one runJSON or (with -compare) a list of them, to
// path.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// comparison prints each scenario's throughput and latency on PostgreSQL
// against the embedded store's.
func comparison(embedded, pg []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# postgres vs embedded\n")
	for _, e := range embedded {
		for _, p := range pg {
			if p.Name != e.Name || e.OpsPerSec == 0 {
				continue
			}
			fmt.Fprintf(&b, "%-18s embedded ops/s=%-10.1f postgres ops/s=%-10.1f postgres/embedded=%5.1f%%  p50 %.2fms -> %.2fms\n",
				e.Name, e.OpsPerSec, p.OpsPerSec, 100*p.OpsPerSec/e.OpsPerSec, e.P50Ms, p.P50Ms)
		}
	}
	return b.String()
}
