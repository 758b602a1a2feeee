package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// modelRelPath is where botocore keeps the KMS service model, relative to
// the botocore package directory.
const modelRelPath = "data/kms/2014-11-01/service-2.json.gz"

// model is the subset of a botocore service-2.json document the generator
// uses. Structure members keep the order of the document, because
// validation reports violations in member order.
type model struct {
	Metadata struct {
		APIVersion   string `json:"apiVersion"`
		TargetPrefix string `json:"targetPrefix"`
		UID          string `json:"uid"`
	} `json:"metadata"`
	Operations map[string]operation `json:"operations"`
	Shapes     map[string]*shape    `json:"shapes"`

	// digest is the hex SHA-256 of the uncompressed document.
	digest string
}

type operation struct {
	Input  *shapeRef `json:"input"`
	Output *shapeRef `json:"output"`
}

type shapeRef struct {
	Shape string `json:"shape"`
}

// shape is one entry of the model's "shapes" table.
type shape struct {
	Type          string    `json:"type"`
	Members       members   `json:"members"`
	Required      []string  `json:"required"`
	Member        *shapeRef `json:"member"`
	Key           *shapeRef `json:"key"`
	Value         *shapeRef `json:"value"`
	Min           *int64    `json:"min"`
	Max           *int64    `json:"max"`
	Pattern       string    `json:"pattern"`
	Enum          []string  `json:"enum"`
	Sensitive     bool      `json:"sensitive"`
	Exception     bool      `json:"exception"`
	Documentation string    `json:"documentation"`
}

// member is one structure member, in document order.
type member struct {
	Name              string
	Shape             string `json:"shape"`
	Documentation     string `json:"documentation"`
	Deprecated        bool   `json:"deprecated"`
	DeprecatedMessage string `json:"deprecatedMessage"`
}

// members is a JSON object decoded as a list so that key order survives.
type members []member

// UnmarshalJSON decodes the members object while keeping its key order.
func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("members: expected object, got %v (%v)", tok, err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var m member
		if err := dec.Decode(&m); err != nil {
			return err
		}
		m.Name = tok.(string)
		*ms = append(*ms, m)
	}
	_, err := dec.Token()
	return err
}

// isRequired reports whether the structure lists name as required.
func (s *shape) isRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// parseModel decodes an uncompressed service-2.json document.
func parseModel(raw []byte) (*model, error) {
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	if len(m.Operations) == 0 || len(m.Shapes) == 0 {
		return nil, errors.New("parse model: no operations or shapes")
	}
	for name, op := range m.Operations {
		if op.Input == nil {
			return nil, fmt.Errorf("operation %s has no input shape", name)
		}
	}
	sum := sha256.Sum256(raw)
	m.digest = hex.EncodeToString(sum[:])
	return &m, nil
}
