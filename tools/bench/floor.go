package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// floorRounds is how many alternating encrypt/floor pairs measureFloor
// runs: the machine's speed drifts (shared CPUs, turbo, other work), so
// each pair is measured back to back and the median ratio is reported.
const floorRounds = 3

// floorScenario is Encrypt against the floor server (package floor): the
// same client and plaintext, no key to set up.
var floorScenario = scenario{name: "floor-encrypt", setup: setupFloor, op: opEncrypt}

func setupFloor(_ context.Context, f *fixture) error {
	f.KeyID = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"
	f.Plaintext = make([]byte, f.Size)
	return nil
}

// measureFloor starts `trent bench-floor` next to the server under test
// and measures Encrypt on each in turn, floorRounds times, printing every
// result and the ratio of the two server CPU costs per call: the figure
// the front-door budget (at most 1.3×) is about. server is the client and
// CPU reader of the server under test.
func measureFloor(ctx context.Context, o options, server *kms.Client, serverCPU func() (time.Duration, error)) ([]result, error) {
	srv, err := startFloor(o.trent, os.Stderr)
	if err != nil {
		if srv != nil {
			srv.stop()
		}
		return nil, err
	}
	defer srv.stop()
	floorClient := newClient(srv.Endpoint, o.region, srv.AccessKey, srv.SecretKey, "", o.c)
	waitIdle(ctx, srv.CPU, 30*time.Second)
	encrypt := scenario{name: "encrypt", setup: setupEncrypt, op: opEncrypt}
	var results []result
	var ratios []float64
	for range floorRounds {
		e, err := measure(ctx, encrypt, &fixture{Client: server, Size: o.size}, o, serverCPU)
		if err != nil {
			return results, fmt.Errorf("encrypt: %w", err)
		}
		fl, err := measure(ctx, floorScenario, &fixture{Client: floorClient, Size: o.size}, o, srv.CPU)
		if err != nil {
			return results, fmt.Errorf("%s: %w", floorScenario.name, err)
		}
		fmt.Println(e)
		fmt.Println(fl)
		results = append(results, e, fl)
		if e.ServerCPUPer1k != nil && fl.ServerCPUPer1k != nil && *fl.ServerCPUPer1k > 0 {
			r := *e.ServerCPUPer1k / *fl.ServerCPUPer1k
			ratios = append(ratios, r)
			fmt.Printf("  encrypt/floor server CPU per call: %.2f×\n", r)
		}
	}
	if len(ratios) > 0 {
		slices.Sort(ratios)
		fmt.Printf("encrypt server CPU per call = %.2f × the floor's (median of %d back-to-back pairs, from %.2f to %.2f; budget 1.30×)\n",
			ratios[len(ratios)/2], len(ratios), ratios[0], ratios[len(ratios)-1])
	}
	return results, nil
}
