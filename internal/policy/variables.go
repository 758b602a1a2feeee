package policy

import (
	"strings"
)

// template is a value holding policy variables (Version 2012-10-17 only):
// ${aws:username}, ${aws:PrincipalArn}, ${kms:CallerAccount}, any other
// single-valued key of the request, ${key, 'default'} with a default for a
// missing key, and ${*}, ${?}, ${$} for literal '*', '?' and '$'.
type template struct {
	parts []tpart
}

type tpart struct {
	lit    string // literal text, or the escaped character of ${*} ${?} ${$}
	escape bool   // lit is one literal character that must not act as a wildcard
	key    string // lower-cased variable key; "" for literal parts
	def    string
	hasDef bool
}

// compileTemplate returns the template of s, or nil when s has no variable.
// A "${" without a closing "}" is literal text.
func compileTemplate(s string) *template {
	if !strings.Contains(s, "${") {
		return nil
	}
	t := &template{}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: s[:i]})
		}
		t.parts = append(t.parts, parseVar(s[i+2:i+j]))
		s = s[i+j+1:]
	}
	if s != "" {
		t.parts = append(t.parts, tpart{lit: s})
	}
	return t
}

func parseVar(body string) tpart {
	switch body {
	case "*", "?", "$":
		return tpart{lit: body, escape: true}
	}
	name, def, hasDef := body, "", false
	if c := strings.IndexByte(body, ','); c >= 0 {
		d := strings.TrimSpace(body[c+1:])
		if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
			name, def, hasDef = body[:c], d[1:len(d)-1], true
		}
	}
	return tpart{key: strings.ToLower(strings.TrimSpace(name)), def: def, hasDef: hasDef}
}

// resolve substitutes the request's values. With glob, the result is a
// wildcard pattern in which substituted text and ${*}/${?} are literal. ok
// is false when a variable's key is missing (or multi-valued) and has no
// default: AWS then treats the statement as not applying.
func (t *template) resolve(r *Request, glob bool) (string, bool) {
	var b strings.Builder
	for i := range t.parts {
		p := &t.parts[i]
		switch {
		case p.escape:
			writeLiteral(&b, p.lit, glob)
		case p.key == "":
			b.WriteString(p.lit)
		default:
			v := lookup(r, p.key)
			switch {
			case v.n == 1:
				writeLiteral(&b, v.at(0), glob)
			case v.n == 0 && p.hasDef:
				writeLiteral(&b, p.def, glob)
			default:
				return "", false
			}
		}
	}
	return b.String(), true
}

func writeLiteral(b *strings.Builder, s string, glob bool) {
	if !glob {
		b.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			b.WriteByte(esc)
		}
		b.WriteByte(s[i])
	}
}
