package metrics

import (
	"bufio"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"
)

// Counter is a monotonically increasing integer. The zero value is zero
// and ready to use.
type Counter struct{ v atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Value returns the count.
func (c *Counter) Value() uint64 { return c.v.Load() }

// Gauge is a value that goes up and down. The zero value is zero.
type Gauge struct{ bits atomic.Uint64 }

// Set sets the value.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Value returns the value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// Histogram counts durations into fixed buckets and keeps their sum; it is
// exposed in seconds.
type Histogram struct {
	bounds []time.Duration // ascending upper bounds
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Int64    // nanoseconds
}

func newHistogram(bounds []time.Duration) *Histogram {
	return &Histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

// Observe records one duration. Negative durations count as zero.
func (h *Histogram) Observe(d time.Duration) {
	d = max(d, 0)
	i := 0
	for i < len(h.bounds) && d > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Sum returns the sum of observations.
func (h *Histogram) Sum() time.Duration { return time.Duration(h.sum.Load()) }

// NewCounter registers a counter without labels.
func (r *Registry) NewCounter(name, help string) *Counter {
	c := new(Counter)
	r.register(name, help, TypeCounter, nil, func(w *bufio.Writer, name string) {
		writeSample(w, name, nil, nil, "", "", float64(c.Value()))
	})
	return c
}

// NewGauge registers a gauge without labels.
func (r *Registry) NewGauge(name, help string) *Gauge {
	g := new(Gauge)
	r.register(name, help, TypeGauge, nil, func(w *bufio.Writer, name string) {
		writeSample(w, name, nil, nil, "", "", g.Value())
	})
	return g
}

// NewHistogram registers a histogram without labels, with the given
// ascending bucket upper bounds.
func (r *Registry) NewHistogram(name, help string, buckets []time.Duration) *Histogram {
	checkBuckets(name, buckets)
	h := newHistogram(buckets)
	r.register(name, help, TypeHistogram, nil, func(w *bufio.Writer, name string) {
		writeHistogram(w, name, nil, nil, h)
	})
	return h
}

// Emit writes one sample of a function family: its value and the values
// of the family's labels, in the order they were declared.
type Emit func(value float64, labelValues ...string)

// NewFunc registers a family whose samples are produced when it is read,
// by collect calling emit once per series: for values kept elsewhere
// (cache statistics, runtime figures). typ is TypeCounter or TypeGauge.
func (r *Registry) NewFunc(name, help, typ string, labels []string, collect func(emit Emit)) {
	if typ != TypeCounter && typ != TypeGauge {
		panic("metrics: NewFunc takes a counter or a gauge, not " + typ)
	}
	labels = slices.Clone(labels)
	r.register(name, help, typ, labels, func(w *bufio.Writer, name string) {
		collect(func(v float64, values ...string) {
			if len(values) != len(labels) {
				panic(fmt.Sprintf("metrics: %s: %d label values for %d labels", name, len(values), len(labels)))
			}
			writeSample(w, name, labels, values, "", "", v)
		})
	})
}

func checkBuckets(name string, b []time.Duration) {
	ok := len(b) > 0 && b[0] > 0
	for i := 1; ok && i < len(b); i++ {
		ok = b[i] > b[i-1]
	}
	if !ok {
		panic("metrics: " + name + ": buckets must be positive and strictly ascending")
	}
}
