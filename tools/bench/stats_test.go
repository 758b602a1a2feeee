package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	// 1ms..100ms: the p-th percentile by nearest rank is p ms.
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	ms := time.Millisecond
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value p50", []time.Duration{7 * ms}, 50, 7 * ms},
		{"one value p99", []time.Duration{7 * ms}, 99, 7 * ms},
		{"p50 of 100", hundred, 50, 50 * ms},
		{"p99 of 100", hundred, 99, 99 * ms},
		{"p99.9 of 100", hundred, 99.9, 100 * ms},
		{"p100 is the max", hundred, 100, 100 * ms},
		{"tiny p is the min", hundred, 0.001, 1 * ms},
		{"p50 of 4 is the 2nd", []time.Duration{1, 2, 3, 4}, 50, 2},
		{"p51 of 4 is the 3rd", []time.Duration{1, 2, 3, 4}, 51, 3},
		{"p75 of 4 is the 3rd", []time.Duration{1, 2, 3, 4}, 75, 3},
		{"p99 of 3 is the max", []time.Duration{1, 2, 3}, 99, 3},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: percentile(p=%g) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestMergeSorted(t *testing.T) {
	got := mergeSorted([][]time.Duration{{5, 1}, nil, {3, 2, 4}})
	want := []time.Duration{1, 2, 3, 4, 5}
	if len(got) != len(want) {
		t.Fatalf("mergeSorted = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("mergeSorted = %v, want %v", got, want)
		}
	}
}

func TestNewResult(t *testing.T) {
	lat := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond}
	r := newResult("encrypt", 2, 0, lat, 2*time.Second, 20*time.Millisecond, -1)
	if r.Ops != 4 || r.OpsPerSec != 2 || r.P50Ms != 2 || r.MaxMs != 4 || r.MeanMs != 2.5 {
		t.Errorf("newResult = %+v", r)
	}
	if r.ServerCPUPer1k == nil || *r.ServerCPUPer1k != 5000 {
		t.Errorf("server CPU per 1k = %v, want 5000 (20ms over 4 ops)", r.ServerCPUPer1k)
	}
	if r.ClientCPUPer1k != nil {
		t.Errorf("client CPU per 1k = %v, want nil for unknown", *r.ClientCPUPer1k)
	}
	line := r.String()
	for _, want := range []string{"encrypt ", "c=2 ", "ops=4 ", "ops/s=2.0 ", "p50=2.00ms ", "p99=4.00ms ", "server_cpu=5000.0ms/1k ", "client_cpu=n/a"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}

func TestParseProcStat(t *testing.T) {
	// A real line's shape (from proc(5)), with a command name holding
	// spaces and parentheses; utime=1111 and stime=2222 are fields 14
	// and 15.
	const line = "1234 (my (weird) prog) S 1 1234 1234 0 -1 4194560 3000 0 12 0 1111 2222 5 6 20 0 9 0 4567 1234567890 4321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	utime, stime, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if utime != 1111 || stime != 2222 {
		t.Errorf("parseProcStat = utime %d, stime %d; want 1111, 2222", utime, stime)
	}

	for _, bad := range []string{
		"",
		"1234 no parentheses S 1 2 3",
		"1234 (short) S 1 2 3 4 5",
		"1234 (x) S 1 1234 1234 0 -1 4194560 3000 0 12 0 abc 2222 5",
	} {
		if _, _, err := parseProcStat(bad); err == nil {
			t.Errorf("parseProcStat(%q) succeeded, want an error", bad)
		}
	}
}
