// Command gen generates internal/wire/zz_generated.go from botocore's KMS
// service model (service-2.json): one Go struct per structure shape, enum
// constants, the operation tables and the Validate methods.
//
// Usage (run by go generate in internal/wire):
//
//	go run ./internal/gen [-model path/to/service-2.json[.gz]] [-out zz_generated.go]
//
// Without -model the model is located by asking python3 where botocore is
// installed. The output is deterministic: shapes and operations are
// emitted in sorted order, members in model order.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	modelPath := flag.String("model", "", "path to service-2.json or service-2.json.gz (default: botocore's, found via python3)")
	out := flag.String("out", "zz_generated.go", `output file, or "-" for standard output`)
	flag.Parse()

	src, err := generateFromPath(*modelPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if *out == "-" {
		_, err = os.Stdout.Write(src)
	} else {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generateFromPath reads the model at path (or botocore's when path is
// empty) and returns the generated source.
func generateFromPath(path string) ([]byte, error) {
	if path == "" {
		p, err := locateModel()
		if err != nil {
			return nil, err
		}
		path = p
	}
	raw, err := readModel(path)
	if err != nil {
		return nil, err
	}
	return generate(raw)
}

// readModel reads a model file, gunzipping it when it is gzip-compressed.
func readModel(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		return io.ReadAll(zr)
	}
	return raw, nil
}

// locateModel finds botocore's KMS model by asking python3 where the
// botocore package is installed.
func locateModel() (string, error) {
	out, err := exec.Command("python3", "-c",
		"import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("locate botocore with python3: %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), filepath.FromSlash(modelRelPath))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("locate KMS model: %w", err)
	}
	return p, nil
}
