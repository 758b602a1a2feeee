// Package metrics exposes Trent's operational metrics in the Prometheus
// text exposition format (version 0.0.4): counters, gauges and histograms
// of durations with fixed buckets, with or without labels.
//
// # Why not the Prometheus client library
//
// The official client (github.com/prometheus/client_golang) pulls in a
// dozen modules — protobuf among them — for what Trent needs: a few
// dozen series and one text page. This package is a few hundred lines,
// has no dependency outside the standard library and is easy to audit,
// which matters in a key management service. What it leaves out — the
// protobuf and OpenMetrics formats, summaries, exemplars, native
// histograms, registry collisions checks across libraries — Trent does
// not use.
//
// # Cost
//
// Updates are lock-free: a [Counter] is an atomic integer, a [Histogram]
// an atomic counter per bucket and an atomic sum of nanoseconds. Labelled
// series are meant to be looked up once ([CounterVec.With]) and kept;
// With itself is a lock-free map read once the series exists. Reading
// (Registry.WriteTo) takes a lock only over the list of families.
//
// # Format
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]* (not starting with "__"; "le" is reserved for
// histogram buckets); registering an invalid or duplicate name panics,
// since it is a programming error. HELP text escapes backslash and
// newline; label values escape backslash, double quote and newline.
// Series of a family are written sorted by their label values, so the
// output is deterministic.
package metrics

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefaultDurationBuckets are histogram upper bounds suited to request
// latencies from 50 µs (the hot path without the network) to 10 s.
var DefaultDurationBuckets = []time.Duration{
	50 * time.Microsecond, 100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond,
	25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// Metric types as the TYPE line names them.
const (
	TypeCounter   = "counter"
	TypeGauge     = "gauge"
	TypeHistogram = "histogram"
)

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// Registry holds metric families and writes them out. The zero value is
// not usable; call NewRegistry. It is safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families []family
	names    map[string]bool
}

// family is one metric name with its HELP, TYPE and series.
type family struct {
	name, help, typ string
	write           func(w *bufio.Writer, name string)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{names: make(map[string]bool)} }

func (r *Registry) register(name, help, typ string, labels []string, write func(*bufio.Writer, string)) {
	if !metricNameRE.MatchString(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if !labelNameRE.MatchString(l) || strings.HasPrefix(l, "__") || (typ == TypeHistogram && l == "le") || seen[l] {
			panic(fmt.Sprintf("metrics: invalid label name %q for %s", l, name))
		}
		seen[l] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] {
		panic(fmt.Sprintf("metrics: %s registered twice", name))
	}
	r.names[name] = true
	r.families = append(r.families, family{name: name, help: help, typ: typ, write: write})
}

// WriteTo writes every family in the text exposition format, in the
// order they were registered.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	fams := slices.Clone(r.families)
	r.mu.Unlock()
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, f := range fams {
		bw.WriteString("# HELP ")
		bw.WriteString(f.name)
		bw.WriteByte(' ')
		bw.WriteString(escapeHelp(f.help))
		bw.WriteString("\n# TYPE ")
		bw.WriteString(f.name)
		bw.WriteByte(' ')
		bw.WriteString(f.typ)
		bw.WriteByte('\n')
		f.write(bw, f.name)
	}
	err := bw.Flush()
	return cw.n, err
}

// Handler serves the registry at GET (and HEAD); other methods are 405.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var buf bytes.Buffer
		r.WriteTo(&buf)
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		if req.Method == http.MethodGet {
			w.Write(buf.Bytes())
		}
	})
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

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

// vec is the labelled-series machinery shared by CounterVec and
// HistogramVec.
type vec[T any] struct {
	labels []string
	m      sync.Map // joined label values -> *series[T]
	mk     func() *T
}

type series[T any] struct {
	values []string
	m      *T
}

func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("metrics: %d label values for labels %q", len(values), v.labels))
	}
	key := strings.Join(values, "\xff")
	if s, ok := v.m.Load(key); ok {
		return s.(*series[T]).m
	}
	s, _ := v.m.LoadOrStore(key, &series[T]{values: slices.Clone(values), m: v.mk()})
	return s.(*series[T]).m
}

// sorted returns the series in label-value order.
func (v *vec[T]) sorted() []*series[T] {
	var out []*series[T]
	v.m.Range(func(_, s any) bool {
		out = append(out, s.(*series[T]))
		return true
	})
	slices.SortFunc(out, func(a, b *series[T]) int { return slices.Compare(a.values, b.values) })
	return out
}

// CounterVec is a family of counters told apart by label values.
type CounterVec struct{ v vec[Counter] }

// NewCounterVec registers a family of counters with the given labels.
func (r *Registry) NewCounterVec(name, help string, labels ...string) *CounterVec {
	cv := &CounterVec{v: vec[Counter]{labels: slices.Clone(labels), mk: func() *Counter { return new(Counter) }}}
	r.register(name, help, TypeCounter, labels, func(w *bufio.Writer, name string) {
		for _, s := range cv.v.sorted() {
			writeSample(w, name, cv.v.labels, s.values, "", "", float64(s.m.Value()))
		}
	})
	return cv
}

// With returns the counter of the given label values, creating it (at
// zero) on first use. Keep the result on hot paths.
func (cv *CounterVec) With(values ...string) *Counter { return cv.v.with(values) }

// HistogramVec is a family of histograms told apart by label values.
type HistogramVec struct{ v vec[Histogram] }

// NewHistogramVec registers a family of histograms with the given
// ascending bucket upper bounds and labels.
func (r *Registry) NewHistogramVec(name, help string, buckets []time.Duration, labels ...string) *HistogramVec {
	checkBuckets(name, buckets)
	buckets = slices.Clone(buckets)
	hv := &HistogramVec{v: vec[Histogram]{labels: slices.Clone(labels), mk: func() *Histogram { return newHistogram(buckets) }}}
	r.register(name, help, TypeHistogram, labels, func(w *bufio.Writer, name string) {
		for _, s := range hv.v.sorted() {
			writeHistogram(w, name, hv.v.labels, s.values, s.m)
		}
	})
	return hv
}

// With returns the histogram of the given label values, creating it on
// first use. Keep the result on hot paths.
func (hv *HistogramVec) With(values ...string) *Histogram { return hv.v.with(values) }

func checkBuckets(name string, b []time.Duration) {
	ok := len(b) > 0 && b[0] > 0
	for i := 1; ok && i < len(b); i++ {
		ok = b[i] > b[i-1]
	}
	if !ok {
		panic("metrics: " + name + ": buckets must be positive and strictly ascending")
	}
}

// writeHistogram writes the _bucket, _sum and _count samples of h.
func writeHistogram(w *bufio.Writer, name string, labels, values []string, h *Histogram) {
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i].Load()
		writeSample(w, name+"_bucket", labels, values, "le", formatFloat(b.Seconds()), float64(cum))
	}
	cum += h.counts[len(h.bounds)].Load()
	writeSample(w, name+"_bucket", labels, values, "le", "+Inf", float64(cum))
	writeSample(w, name+"_sum", labels, values, "", "", h.Sum().Seconds())
	writeSample(w, name+"_count", labels, values, "", "", float64(cum))
}

// writeSample writes one line: name{labels} value. extraName, if set, is
// one more label (le) after the others.
func writeSample(w *bufio.Writer, name string, labels, values []string, extraName, extraValue string, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || extraName != "" {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			writeLabel(w, l, values[i])
		}
		if extraName != "" {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			writeLabel(w, extraName, extraValue)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

func writeLabel(w *bufio.Writer, name, value string) {
	w.WriteString(name)
	w.WriteString(`="`)
	w.WriteString(escapeLabelValue(value))
	w.WriteByte('"')
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// escapeHelp escapes a HELP text: backslash and newline.
func escapeHelp(s string) string { return helpEscaper.Replace(s) }

// escapeLabelValue escapes a label value: backslash, newline, double quote.
func escapeLabelValue(s string) string { return labelEscaper.Replace(s) }

// formatFloat formats a sample value as the format wants: Go's shortest
// representation, and +Inf, -Inf, NaN.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
