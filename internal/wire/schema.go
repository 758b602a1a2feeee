package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// schema tells the strict pre-pass (strict.go) where a request body holds
// member names, which are matched exactly, and where it holds map keys,
// which are data. It is derived once per Go type from the generated
// structs, whose JSON tags are the model's member names.
type schema struct {
	kind   schemaKind
	fields []schemaField // kindStruct: the members, in declaration order
	elem   *schema       // kindList: the element; kindMap: the value
}

// schemaField is one member of a structure.
type schemaField struct {
	name string // the model member name, exactly as on the wire
	sub  *schema
}

type schemaKind uint8

const (
	kindScalar schemaKind = iota // strings, blobs, numbers, booleans, timestamps
	kindStruct
	kindList
	kindMap
)

// scalarSchema stands for every value that holds no member names.
var scalarSchema = &schema{kind: kindScalar}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// schemas caches schemaOf by reflect.Type.
var schemas sync.Map

// schemaOf returns the schema of t (pointers are followed).
func schemaOf(t reflect.Type) *schema {
	if s, ok := schemas.Load(t); ok {
		return s.(*schema)
	}
	s, _ := schemas.LoadOrStore(t, buildSchema(t, map[reflect.Type]*schema{}))
	return s.(*schema)
}

// buildSchema derives the schema of t the way encoding/json maps JSON onto
// it; seen breaks cycles of recursive structures.
func buildSchema(t reflect.Type, seen map[reflect.Type]*schema) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s := seen[t]; s != nil {
		return s
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return scalarSchema // Timestamp: decodes itself
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &schema{kind: kindStruct}
		seen[t] = s
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || f.Anonymous || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s.fields = append(s.fields, schemaField{name: name, sub: buildSchema(f.Type, seen)})
		}
		return s
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return scalarSchema // blob: a base64 string
		}
		return &schema{kind: kindList, elem: buildSchema(t.Elem(), seen)}
	case reflect.Map:
		return &schema{kind: kindMap, elem: buildSchema(t.Elem(), seen)}
	}
	return scalarSchema
}

// field returns the index of the member named exactly name, or -1.
func (s *schema) field(name []byte) int {
	for i := range s.fields {
		if s.fields[i].name == string(name) {
			return i
		}
	}
	return -1
}
