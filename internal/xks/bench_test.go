//go:build cgo

package xks

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkProxyEncrypt measures Encrypt through the whole proxy (HTTPS
// with keep-alive, SigV4, JSON, the audit log, AES-GCM in SoftHSM2) at a
// concurrency of 16, and reports the median and 99th percentile latency.
func BenchmarkProxyEncrypt(b *testing.B) {
	const concurrency = 16
	f := newFixture(b, fixtureOptions{sessions: concurrency})
	c := f.as(0, 0)
	body := map[string]any{"requestMetadata": meta(alice, "Encrypt"), "plaintext": make([]byte, 32),
		"encryptionAlgorithm": "AES_GCM", "additionalAuthenticatedData": make([]byte, 64)}
	if r := c.must(keyPath("k1", "encrypt"), body); r.status != 200 {
		b.Fatalf("%d %s", r.status, r.raw)
	}
	concurrentLatency(b, concurrency, func() error {
		r, err := c.do(keyPath("k1", "encrypt"), body)
		if err == nil && r.status != 200 {
			err = fmt.Errorf("status %d: %s", r.status, r.raw)
		}
		return err
	})
}

// concurrentLatency runs op b.N times from concurrency goroutines and
// reports the median and 99th percentile latency of one op; any failure
// fails the benchmark.
func concurrentLatency(b *testing.B, concurrency int, op func() error) {
	lat := make([]time.Duration, b.N)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range concurrency {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				start := time.Now()
				err := op()
				lat[i] = time.Since(start)
				if err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d operations failed", n, b.N)
	}
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}
