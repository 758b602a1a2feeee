package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// floorScenario is Encrypt against the floor server (package floor): the
// same client and plaintext, no key to set up.
var floorScenario = scenario{name: "floor-encrypt", setup: setupFloor, op: opEncrypt}

func setupFloor(_ context.Context, f *fixture) error {
	f.KeyID = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"
	f.Plaintext = make([]byte, f.Size)
	return nil
}

// measureFloor starts `trent bench-floor`, measures Encrypt on it as the
// encrypt scenario is measured on the server, prints the result and, if
// encrypt was measured in this run, the ratio of the two server CPU costs
// per call: the figure the front-door budget (at most 1.3×) is about.
func measureFloor(ctx context.Context, o options, encrypt *result) (*result, error) {
	srv, err := startFloor(o.trent, os.Stderr)
	if err != nil {
		if srv != nil {
			srv.stop()
		}
		return nil, err
	}
	defer srv.stop()
	client := newClient(srv.Endpoint, o.region, srv.AccessKey, srv.SecretKey, "", o.c)
	waitIdle(ctx, srv.CPU, 30*time.Second)
	r, err := measure(ctx, floorScenario, &fixture{Client: client, Size: o.size}, o, srv.CPU)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", floorScenario.name, err)
	}
	fmt.Println(r)
	if encrypt != nil && encrypt.ServerCPUPer1k != nil && r.ServerCPUPer1k != nil && *r.ServerCPUPer1k > 0 {
		fmt.Printf("encrypt server CPU per call = %.2f × the floor's (%.1f vs %.1f ms/1k; budget 1.30×)\n",
			*encrypt.ServerCPUPer1k / *r.ServerCPUPer1k, *encrypt.ServerCPUPer1k, *r.ServerCPUPer1k)
	}
	return &r, nil
}
