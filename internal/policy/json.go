package policy

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// jvalue is a decoded JSON value that keeps object members in order and
// lets Parse refuse duplicate member names, which encoding/json's maps and
// structs would hide.
type jvalue struct {
	kind jkind
	s    string // string, number text, "true"/"false"
	arr  []jvalue
	obj  []jmember
}

type jmember struct {
	key string
	val jvalue
}

type jkind uint8

const (
	jString jkind = iota + 1
	jNumber
	jBool
	jNull
	jArray
	jObject
)

const maxDepth = 32

var errJSON = errors.New("policy: invalid JSON")

func decodeJSON(doc string) (jvalue, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jvalue{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jvalue{}, errJSON
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (jvalue, error) {
	if depth > maxDepth {
		return jvalue{}, errJSON
	}
	tok, err := dec.Token()
	if err != nil {
		return jvalue{}, errJSON
	}
	switch t := tok.(type) {
	case string:
		if strings.IndexByte(t, 0) >= 0 {
			return jvalue{}, errJSON
		}
		return jvalue{kind: jString, s: t}, nil
	case json.Number:
		return jvalue{kind: jNumber, s: t.String()}, nil
	case bool:
		if t {
			return jvalue{kind: jBool, s: "true"}, nil
		}
		return jvalue{kind: jBool, s: "false"}, nil
	case nil:
		return jvalue{kind: jNull}, nil
	case json.Delim:
		switch t {
		case '[':
			v := jvalue{kind: jArray}
			for dec.More() {
				e, err := decodeValue(dec, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.arr = append(v.arr, e)
			}
			_, err := dec.Token() // ']'
			return v, err
		case '{':
			v := jvalue{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jvalue{}, errJSON
				}
				key, _ := kt.(string)
				for i := range v.obj {
					if v.obj[i].key == key {
						return jvalue{}, errJSON
					}
				}
				e, err := decodeValue(dec, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.obj = append(v.obj, jmember{key: key, val: e})
			}
			_, err := dec.Token() // '}'
			return v, err
		}
	}
	return jvalue{}, errJSON
}
