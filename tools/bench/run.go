package main

import (
	"context"
	"sync"
	"time"
)

// runPhase runs op on c workers until d has passed, and returns every
// call's latency, sorted, and the wall time from the start until the last
// worker finished. Calls started before the deadline finish and count. A
// call's error stops all workers and is returned.
//
// If lim is not nil, each call first waits for one of its ticks.
func runPhase(ctx context.Context, c int, d time.Duration, lim *limiter, op func(context.Context) error) ([]time.Duration, time.Duration, error) {
	// stop only ends the loops; calls get ctx, so they are not cut short
	// at the deadline.
	stop, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg       sync.WaitGroup
		perWork  = make([][]time.Duration, c)
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			defer func() { perWork[w] = lat }()
			for stop.Err() == nil {
				if lim != nil && !lim.wait(stop) {
					return
				}
				t0 := time.Now()
				err := op(ctx)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return nil, elapsed, firstErr
	}
	return mergeSorted(perWork), elapsed, nil
}

// limiter paces calls of all workers together to a rate: the first call
// starts at once, then every tick of one shared ticker lets one waiting
// call start. Ticks that no worker is waiting for are dropped, so a slow
// server lowers the rate rather than building a backlog.
type limiter struct {
	first chan struct{} // holds the token for the first call
	t     *time.Ticker
}

// newLimiter returns a limiter for perSecond calls per second, or nil
// (no pacing) if perSecond is not positive.
func newLimiter(perSecond float64) *limiter {
	if perSecond <= 0 {
		return nil
	}
	interval := max(time.Duration(float64(time.Second)/perSecond), time.Microsecond)
	l := &limiter{first: make(chan struct{}, 1), t: time.NewTicker(interval)}
	l.first <- struct{}{}
	return l
}

// wait blocks until the next tick, and reports false if ctx ended first.
func (l *limiter) wait(ctx context.Context) bool {
	select {
	case <-l.first:
		return ctx.Err() == nil
	case <-l.t.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// Stop releases the ticker. A nil limiter may be stopped.
func (l *limiter) Stop() {
	if l != nil {
		l.t.Stop()
	}
}
