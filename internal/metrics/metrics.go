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
	"fmt"
	"regexp"
	"strings"
	"sync"
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
