package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Settings of trent server.
//
// Every setting may come from a flag, an environment variable or a key of
// the YAML config file (--config, or TRENT_CONFIG), and the first of those
// that is set wins: flags, then the environment, then the file, then the
// default. An environment variable set to the empty string counts as
// unset. The file is a flat mapping of the keys below; an unknown key, a
// key given twice or a value that is not a scalar is an error. Values may
// use ${VAR} and ${VAR:-default}, expanded from the environment after the
// YAML is parsed (so an environment value can never be read as YAML
// syntax); ${VAR} of an unset variable is an error, ${VAR:-} is empty, and
// $$ stands for a literal $. Other $ characters are kept as they are.

// valueKind is how a setting's text is parsed.
type valueKind int

const (
	kindString valueKind = iota
	kindDuration
	kindInt
	kindBool
)

// setting is one option: its flag (without dashes; empty if none), its
// environment variable, its config-file key and default, and apply, which
// parses a value and stores it.
type setting struct {
	flag, env, key string
	kind           valueKind
	def            string
	usage          string
	apply          func(v string) error
}

// source says where a resolved value came from, for error messages.
func (s setting) source(from string, fileName string) string {
	switch from {
	case "flag":
		return "--" + s.flag
	case "env":
		return s.env
	case "file":
		return fileName + ": " + s.key
	}
	return "default of --" + s.flag
}

func applyString(p *string) func(string) error {
	return func(v string) error { *p = v; return nil }
}

func applyDuration(p *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration like 10s or 2m: %q", v)
		}
		*p = d
		return nil
	}
}

func applyInt(p *int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*p = n
		return nil
	}
}

func applyBool(p *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not true or false: %q", v)
		}
		*p = b
		return nil
	}
}

// rawFlag records a flag's text and whether it was given.
type rawFlag struct {
	v      string
	given  bool
	isBool bool
}

func (f *rawFlag) String() string     { return f.v }
func (f *rawFlag) Set(v string) error { f.v, f.given = v, true; return nil }
func (f *rawFlag) IsBoolFlag() bool   { return f.isBool }

// settingsParser resolves a table of settings from flags, environment,
// config file and defaults.
type settingsParser struct {
	settings []setting
	getenv   func(string) (string, bool)
	fs       *flag.FlagSet
	flags    map[string]*rawFlag
	config   *rawFlag // --config
}

// newSettingsParser registers the settings' flags, and --config, on fs.
func newSettingsParser(fs *flag.FlagSet, settings []setting, getenv func(string) (string, bool)) *settingsParser {
	p := &settingsParser{settings: settings, getenv: getenv, fs: fs, flags: map[string]*rawFlag{}}
	for _, s := range settings {
		if s.flag == "" {
			continue
		}
		f := &rawFlag{v: s.def, isBool: s.kind == kindBool}
		p.flags[s.flag] = f
		usage := s.usage
		var where []string
		if s.env != "" {
			where = append(where, "env "+s.env)
		}
		if s.key != "" {
			where = append(where, "config "+s.key)
		}
		if len(where) > 0 {
			usage += " (" + strings.Join(where, ", ") + ")"
		}
		fs.Var(f, s.flag, usage)
	}
	p.config = &rawFlag{}
	fs.Var(p.config, "config", "YAML file of settings, keys as in the README's table; flags and environment override it (env TRENT_CONFIG)")
	return p
}

// env returns an environment variable's value if it is set and not empty.
func (p *settingsParser) env(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	v, ok := p.getenv(name)
	return v, ok && v != ""
}

// resolve applies every setting's winning value. Call it after fs.Parse.
func (p *settingsParser) resolve() error {
	fileName := p.config.v
	if !p.config.given {
		fileName, _ = p.env("TRENT_CONFIG")
	}
	var file map[string]string
	if fileName != "" {
		b, err := os.ReadFile(fileName)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if file, err = parseConfigFile(b, p.settings, p.getenv); err != nil {
			return fmt.Errorf("%s: %w", fileName, err)
		}
	}
	for _, s := range p.settings {
		v, from := s.def, "default"
		if f := p.flags[s.flag]; f != nil && f.given {
			v, from = f.v, "flag"
		} else if e, ok := p.env(s.env); ok {
			v, from = e, "env"
		} else if fv, ok := file[s.key]; ok {
			v, from = fv, "file"
		}
		if err := s.apply(v); err != nil {
			return fmt.Errorf("%s: %w", s.source(from, fileName), err)
		}
	}
	return nil
}

// parseConfigFile reads a flat YAML mapping of the settings' keys to
// scalars and returns each value, expanded.
func parseConfigFile(b []byte, settings []setting, getenv func(string) (string, bool)) (map[string]string, error) {
	known := map[string]bool{}
	for _, s := range settings {
		if s.key != "" {
			known[s.key] = true
		}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]string{}, nil // an empty file
		}
		return nil, err
	}
	out := map[string]string{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the file must be a mapping of setting keys to values", root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || !known[k.Value] {
			return nil, fmt.Errorf("line %d: unknown key %q", k.Line, k.Value)
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("line %d: key %q given twice", k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s: the value must be a single value, not a list or mapping", v.Line, k.Value)
		}
		val := v.Value
		if v.Tag == "!!null" {
			val = ""
		}
		expanded, err := expandEnv(val, getenv)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
		}
		out[k.Value] = expanded
	}
	return out, nil
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expandEnv replaces ${VAR} and ${VAR:-default} with values from getenv,
// and $$ with $. ${VAR} of an unset variable is an error; with :-, the
// default is used when VAR is unset or empty. The default is not expanded
// further.
func expandEnv(s string, getenv func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ in %q", s)
			}
			expr := s[i+2 : i+2+end]
			name, def, hasDef := strings.Cut(expr, ":-")
			if !envNameRE.MatchString(name) {
				return "", fmt.Errorf("invalid variable name in ${%s}", expr)
			}
			v, ok := getenv(name)
			switch {
			case hasDef && v == "":
				v = def
			case !ok:
				return "", fmt.Errorf("environment variable %s is not set (write ${%s:-} for an empty default)", name, name)
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
