package main

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode"
)

// lowerFirst lower-cases the first letter only, as Coral does for member
// paths: "SAMLOptions" becomes "sAMLOptions", "KeyId" becomes "keyId".
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// enumConstName builds the Go constant name for one enum value, in the
// style of aws-sdk-go-v2: KeySpec + "RSA_2048" gives KeySpecRsa2048.
func enumConstName(shapeName, value string) string {
	var b strings.Builder
	b.WriteString(shapeName)
	for _, part := range strings.FieldsFunc(value, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(part)
		if strings.ToUpper(part) == part {
			rs = []rune(strings.ToLower(part))
		}
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return b.String()
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// firstSentence returns the first sentence of a model documentation
// string with its HTML removed, or "" when there is none.
func firstSentence(doc string) string {
	text := html.UnescapeString(tagRE.ReplaceAllString(doc, " "))
	text = strings.TrimSpace(spaceRE.ReplaceAllString(text, " "))
	if i := strings.Index(text, ". "); i >= 0 {
		text = text[:i+1]
	}
	const limit = 400
	if r := []rune(text); len(r) > limit {
		text = string(r[:limit]) + "..."
	}
	return text
}

// comment renders text as a block of // lines of at most width columns,
// each prefixed with indent.
func comment(indent, text string, width int) string {
	var b strings.Builder
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			b.WriteString(indent + "// " + line + "\n")
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		b.WriteString(indent + "// " + line + "\n")
	}
	return b.String()
}

// javaSpace is the character set of Java's \s (Coral runs on Java); Go's
// \s lacks the vertical tab.
const javaSpace = `\t\n\x0B\f\r `

// translatePattern rewrites a model (java.util.regex) pattern into RE2
// syntax and anchors it at both ends, since Coral applies patterns to the
// whole value. Constructs RE2 cannot express
// are reported as errors so that a future model change fails loudly.
func translatePattern(p string) (string, error) {
	var b strings.Builder
	inClass := false
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\':
			if i+1 >= len(rs) {
				return "", fmt.Errorf("pattern %q: trailing backslash", p)
			}
			i++
			e := rs[i]
			switch {
			case e == 'u':
				if i+4 >= len(rs) || !isHex(rs[i+1:i+5]) {
					return "", fmt.Errorf("pattern %q: bad \\u escape", p)
				}
				b.WriteString(`\x{` + string(rs[i+1:i+5]) + `}`)
				i += 4
			case e == 's' && inClass:
				b.WriteString(javaSpace)
			case e == 's':
				b.WriteString(`[` + javaSpace + `]`)
			case e == 'S' && !inClass:
				b.WriteString(`[^` + javaSpace + `]`)
			case e == 'e':
				b.WriteString(`\x1B`)
			case strings.ContainsRune(`dDwWtnrf.\/-+*?()[]{}|^$&=,:@_!#%<>'"~`, e) ||
				(e == 'b' || e == 'B') && !inClass:
				b.WriteString(`\` + string(e))
			default:
				return "", fmt.Errorf("pattern %q: unsupported escape \\%c", p, e)
			}
		case c == '[' && inClass:
			return "", fmt.Errorf("pattern %q: nested character classes are unsupported", p)
		case c == '[':
			inClass = true
			b.WriteRune(c)
			if i+1 < len(rs) && rs[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteRune(c)
		case c == '&' && inClass && i+1 < len(rs) && rs[i+1] == '&':
			return "", fmt.Errorf("pattern %q: class intersection is unsupported", p)
		case !inClass && c == '(' && i+2 < len(rs) && rs[i+1] == '?' && strings.ContainsRune("=!<>", rs[i+2]):
			return "", fmt.Errorf("pattern %q: lookaround and atomic groups are unsupported", p)
		case !inClass && c == '+' && i > 0 && strings.ContainsRune("*+?}", rs[i-1]) && (i < 2 || rs[i-2] != '\\'):
			return "", fmt.Errorf("pattern %q: possessive quantifiers are unsupported", p)
		default:
			b.WriteRune(c)
		}
	}
	if inClass {
		return "", fmt.Errorf("pattern %q: unterminated character class", p)
	}
	full := `^(?:` + b.String() + `)$`
	if _, err := regexp.Compile(full); err != nil {
		return "", fmt.Errorf("pattern %q: %w", p, err)
	}
	return full, nil
}

// goRegexpLiteral quotes a regular expression as Go source, preferring a
// raw string.
func goRegexpLiteral(re string) string {
	if !strings.ContainsRune(re, '`') {
		return "`" + re + "`"
	}
	return fmt.Sprintf("%q", re)
}

func isHex(rs []rune) bool {
	for _, r := range rs {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// memberDoc summarises a member: first sentence of its documentation, then
// its shape and the shape's constraints.
func (g *generator) memberDoc(parent *shape, mem member) string {
	s := g.m.Shapes[mem.Shape]
	var facts []string
	if parent.isRequired(mem.Name) {
		facts = append(facts, "required")
	}
	if s.Min != nil || s.Max != nil {
		lo, hi := "", ""
		if s.Min != nil {
			lo = fmt.Sprint(*s.Min)
		}
		if s.Max != nil {
			hi = fmt.Sprint(*s.Max)
		}
		word := "length"
		if s.Type == "integer" || s.Type == "long" {
			word = "value"
		}
		facts = append(facts, fmt.Sprintf("%s %s..%s", word, lo, hi))
	}
	if s.Pattern != "" {
		facts = append(facts, "pattern "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		facts = append(facts, "enum")
	}
	if s.Sensitive {
		facts = append(facts, "sensitive")
	}
	if mem.Deprecated {
		facts = append(facts, "deprecated in the model")
	}
	text := mem.Name + " (" + mem.Shape
	if len(facts) > 0 {
		text += "; " + strings.Join(facts, "; ")
	}
	text += ")."
	if d := firstSentence(mem.Documentation); d != "" {
		text += " " + d
	}
	return text
}

// opList words a sorted list of operation names for a doc comment.
func opList(ops []string) string {
	if len(ops) == 1 {
		return "the " + ops[0] + " operation"
	}
	return "the " + strings.Join(ops[:len(ops)-1], ", ") + " and " + ops[len(ops)-1] + " operations"
}
