package metrics

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func render(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	n, err := r.WriteTo(&b)
	if err != nil || int(n) != b.Len() {
		t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, b.Len())
	}
	return b.String()
}

func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounter("app_things_total", "Things done.\nSecond line with a \\ backslash.")
	c.Add(3)
	c.Inc()
	g := r.NewGauge("app_temperature", "A gauge.")
	g.Set(-1.5)
	cv := r.NewCounterVec("app_requests_total", "Requests.", "operation", "outcome")
	cv.With("Encrypt", "ok").Add(2)
	cv.With("Decrypt", `odd "value"`+"\n\\").Inc()
	h := r.NewHistogramVec("app_duration_seconds", "Durations.", []time.Duration{time.Millisecond, time.Second}, "op")
	hh := h.With("get")
	hh.Observe(500 * time.Microsecond)
	hh.Observe(time.Millisecond) // on the bound: counts in le="0.001"
	hh.Observe(2 * time.Second)
	hh.Observe(-time.Second) // as zero
	r.NewFunc("app_cache_hits_total", "Hits.", TypeCounter, []string{"cache"}, func(emit Emit) {
		emit(7, "key")
		emit(0, "material")
	})
	want := `# HELP app_things_total Things done.\nSecond line with a \\ backslash.
# TYPE app_things_total counter
app_things_total 4
# HELP app_temperature A gauge.
# TYPE app_temperature gauge
app_temperature -1.5
# HELP app_requests_total Requests.
# TYPE app_requests_total counter
app_requests_total{operation="Decrypt",outcome="odd \"value\"\n\\"} 1
app_requests_total{operation="Encrypt",outcome="ok"} 2
# HELP app_duration_seconds Durations.
# TYPE app_duration_seconds histogram
app_duration_seconds_bucket{op="get",le="0.001"} 3
app_duration_seconds_bucket{op="get",le="1"} 3
app_duration_seconds_bucket{op="get",le="+Inf"} 4
app_duration_seconds_sum{op="get"} 2.0015
app_duration_seconds_count{op="get"} 4
# HELP app_cache_hits_total Hits.
# TYPE app_cache_hits_total counter
app_cache_hits_total{cache="key"} 7
app_cache_hits_total{cache="material"} 0
`
	if got := render(t, r); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
	if hh.Count() != 4 || hh.Sum() != 2001500*time.Microsecond {
		t.Errorf("Count, Sum = %d, %v", hh.Count(), hh.Sum())
	}
}

// TestParseable checks every line against the format's grammar, as a
// scraper reads it.
func TestParseable(t *testing.T) {
	r := NewRegistry()
	r.NewHistogram("h_seconds", "h", DefaultDurationBuckets).Observe(3 * time.Millisecond)
	r.NewCounterVec("c_total", "c", "a").With("x\ny").Inc()
	sc := bufio.NewScanner(strings.NewReader(render(t, r)))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '{'); i >= 0 {
			j := strings.LastIndexByte(line, '}')
			name, rest = line[:i], strings.TrimPrefix(line[j+1:], " ")
			if strings.Contains(line[i:j], "\n") {
				t.Errorf("raw newline in labels: %q", line)
			}
		}
		if !metricNameRE.MatchString(name) || rest == "" || strings.Contains(rest, " ") {
			t.Errorf("malformed sample line %q", line)
		}
	}
}

func TestInvalidNamesPanic(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"metric name": func(r *Registry) { r.NewCounter("9bad", "") },
		"label name":  func(r *Registry) { r.NewCounterVec("ok_total", "", "bad-label") },
		"reserved":    func(r *Registry) { r.NewCounterVec("ok_total", "", "__x") },
		"le":          func(r *Registry) { r.NewHistogramVec("ok_seconds", "", DefaultDurationBuckets, "le") },
		"duplicate": func(r *Registry) {
			r.NewCounter("dup_total", "")
			r.NewCounter("dup_total", "")
		},
		"buckets":      func(r *Registry) { r.NewHistogram("b_seconds", "", []time.Duration{2, 1}) },
		"label values": func(r *Registry) { r.NewCounterVec("v_total", "", "a").With("x", "y") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f(NewRegistry())
		})
	}
}

func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	cv := r.NewCounterVec("n_total", "", "w")
	h := r.NewHistogram("d_seconds", "", DefaultDurationBuckets)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				cv.With(string(rune('a' + w%2))).Inc()
				h.Observe(time.Duration(i) * time.Microsecond)
			}
		}()
	}
	for range 10 {
		render(t, r) // concurrent reads are fine
	}
	wg.Wait()
	if a, b := cv.With("a").Value(), cv.With("b").Value(); a+b != 8000 || h.Count() != 8000 {
		t.Errorf("counts %d+%d, histogram %d; want 8000", a, b, h.Count())
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	r.NewCounter("x_total", "x").Inc()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType {
		t.Errorf("GET: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Post(srv.URL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := NewRegistry().NewCounterVec("c_total", "", "operation", "outcome").With("Encrypt", "ok")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := NewRegistry().NewHistogram("h_seconds", "", DefaultDurationBuckets)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Observe(180 * time.Microsecond)
		}
	})
}

// BenchmarkObserveRequest is what the request path pays for metrics: the
// clock reading the handler adds and one observation.
func BenchmarkObserveRequest(b *testing.B) {
	s := NewServer([]string{"Decrypt", "Encrypt", "GenerateDataKey"})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			s.ObserveRequest("Encrypt", "ok", time.Since(start))
		}
	})
}
