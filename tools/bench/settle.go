package main

import (
	"context"
	"time"
)

// waitIdle waits until the server uses less than 5% of a core over a
// second, or until limit passes. Trent fills its RSA wrapping key pool in
// the background after start (seconds of CPU for RSA_4096); measuring
// before that settles would charge key generation to the first scenario.
func waitIdle(ctx context.Context, cpu func() (time.Duration, error), limit time.Duration) {
	if cpu == nil {
		return
	}
	deadline := time.Now().Add(limit)
	prev, err := cpu()
	for err == nil && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		var now time.Duration
		if now, err = cpu(); err == nil {
			if now-prev < 50*time.Millisecond {
				return
			}
			prev = now
		}
	}
}
