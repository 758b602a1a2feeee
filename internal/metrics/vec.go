package metrics

import (
	"bufio"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

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
