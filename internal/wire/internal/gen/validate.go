package main

import (
	"fmt"
	"strings"
)

// needs reports whether a value of the shape can violate a constraint, so
// that code is generated only where a check can fail.
func (g *generator) needs(name string) bool {
	if v, ok := g.needMemo[name]; ok {
		return v
	}
	g.needMemo[name] = false // cycle guard
	s := g.m.Shapes[name]
	v := false
	hasMin := s.Min != nil && *s.Min > 0
	switch s.Type {
	case "string":
		v = hasMin || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0
	case "blob":
		v = hasMin || s.Max != nil
	case "integer", "long":
		v = s.Min != nil || s.Max != nil
	case "list":
		v = hasMin || s.Max != nil || g.needs(s.Member.Shape)
	case "map":
		v = hasMin || s.Max != nil || g.needs(s.Key.Shape) || g.needs(s.Value.Shape)
	case "structure":
		for _, mem := range s.Members {
			if s.isRequired(mem.Name) || g.needs(mem.Shape) {
				v = true
			}
		}
	}
	g.needMemo[name] = v
	return v
}

// canBeNull reports whether "" is outside a string shape's value set (or
// the shape is not a string). A required string member of such a shape is
// generated as a plain string, where absent and "" look the same, and ""
// counts as absent; a required member of a shape that admits "" (minimum
// length 0 and no pattern or enum excluding it, as for DescriptionType or
// TagValueType) is generated as *string instead (see emptyRequired).
func (g *generator) canBeNull(name string) bool {
	s := g.m.Shapes[name]
	if s.Type != "string" {
		return true
	}
	if s.Min != nil && *s.Min > 0 {
		return true
	}
	if len(s.Enum) > 0 && !contains(s.Enum, "") {
		return true
	}
	if re := g.patterns[name]; re != nil && !re.MatchString("") {
		return true
	}
	return false
}

// emptyRequired reports whether mem is a required string member of parent
// for which "" is a valid value (Tag's TagValue, UpdateKeyDescription's
// Description). Such a member is generated as *string, so that an absent
// member (null) is told apart from "" on input and "" is still sent on
// output: AWS requires the member but accepts it empty.
func (g *generator) emptyRequired(parent *shape, mem member) bool {
	return g.m.Shapes[mem.Shape].Type == "string" && parent.isRequired(mem.Name) && !g.canBeNull(mem.Shape)
}

// validation emits Validate for every input shape, validate for every
// structure reachable from an input, and one check function per other
// constrained shape.
func (g *generator) validation() error {
	names := sortedKeys(g.m.Shapes)
	for _, name := range names {
		if len(g.inputOf[name]) == 0 {
			continue
		}
		g.printf("// Validate checks x against the model constraints of %s and returns a\n", name)
		g.printf("// *ValidationError listing every violation in member order, or nil.\n")
		g.printf("func (x *%s) Validate() error {\n", name)
		if !g.needs(name) {
			g.printf("return nil\n}\n\n")
			continue
		}
		g.printf("var v validator\nx.validate(&v, nil)\nreturn v.result()\n}\n\n")
	}
	for _, name := range names {
		s := g.m.Shapes[name]
		if !g.reach[name] || !g.needs(name) {
			continue
		}
		var err error
		switch s.Type {
		case "structure":
			g.structCheck(name, s)
		case "string":
			g.stringCheck(name, s)
		case "blob":
			g.printf("func check%s(v *validator, p *path, x []byte) {\n", name)
			g.lengthChecks(s, "len(x) < %d", "len(x) > %d", "v.redacted(p, %q)")
			g.printf("}\n\n")
		case "integer", "long":
			g.printf("func check%s(v *validator, p *path, x %s) {\n", name, g.goType(name, true))
			if s.Min != nil {
				g.printf("if x < %d { v.number(p, int64(x), %q) }\n", *s.Min,
					fmt.Sprintf("Member must have value greater than or equal to %d", *s.Min))
			}
			if s.Max != nil {
				g.printf("if x > %d { v.number(p, int64(x), %q) }\n", *s.Max,
					fmt.Sprintf("Member must have value less than or equal to %d", *s.Max))
			}
			g.printf("}\n\n")
		case "list":
			g.listCheck(name, s)
		case "map":
			err = g.mapCheck(name, s)
		}
		if err != nil {
			return err
		}
	}
	for _, name := range names {
		if re := g.patterns[name]; re != nil && g.reach[name] && g.needs(name) {
			g.printf("// pattern%s is the model pattern %s as a whole-value RE2 match.\n",
				name, g.m.Shapes[name].Pattern)
			g.printf("var pattern%s = regexp.MustCompile(%s)\n\n", name, goRegexpLiteral(re.String()))
		}
	}
	return nil
}

// lengthChecks emits the min/max length checks of a string, blob, list or
// map shape; tooShort and tooLong are format strings over the bound, fail
// is a format string over the constraint text.
func (g *generator) lengthChecks(s *shape, tooShort, tooLong, fail string) {
	if s.Min != nil && *s.Min > 0 {
		g.printf("if "+tooShort+" { "+fail+" }\n", *s.Min,
			fmt.Sprintf("Member must have length greater than or equal to %d", *s.Min))
	}
	if s.Max != nil {
		g.printf("if "+tooLong+" { "+fail+" }\n", *s.Max,
			fmt.Sprintf("Member must have length less than or equal to %d", *s.Max))
	}
}

func (g *generator) stringCheck(name string, s *shape) {
	fail := "v.str(p, x, %q)"
	if s.Sensitive {
		fail = "v.redacted(p, %q)"
	}
	g.printf("func check%s(v *validator, p *path, x string) {\n", name)
	g.lengthChecks(s, "tooShort(x, %d)", "tooLong(x, %d)", fail)
	if s.Pattern != "" {
		g.printf("if !pattern%s.MatchString(x) { "+fail+" }\n", name,
			"Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		consts := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			consts[i] = enumConstName(name, e)
		}
		g.printf("switch x {\ncase %s:\ndefault:\n"+fail+"\n}\n", strings.Join(consts, ", "),
			"Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
	}
	g.printf("}\n\n")
}

func (g *generator) structCheck(name string, s *shape) {
	g.printf("func (x *%s) validate(v *validator, p *path) {\n", name)
	for _, mem := range s.Members {
		ms := g.m.Shapes[mem.Shape]
		required := s.isRequired(mem.Name)
		needs := g.needs(mem.Shape)
		if !required && !needs {
			continue
		}
		mp := fmt.Sprintf("&path{parent: p, name: %q}", lowerFirst(mem.Name))
		field := "x." + mem.Name
		absent, present := field+" == nil", field+" != nil"
		value := field
		switch {
		case g.emptyRequired(s, mem):
			value = "*" + field
		case ms.Type == "string":
			absent, present = field+` == ""`, field+` != ""`
		case ms.Type == "integer", ms.Type == "long", ms.Type == "boolean", ms.Type == "timestamp":
			value = "*" + field
		}
		var check string
		switch {
		case !needs:
		case ms.Type == "structure":
			check = fmt.Sprintf("%s.validate(v, %s)", field, mp)
		default:
			check = fmt.Sprintf("check%s(v, %s, %s)", mem.Shape, mp, value)
		}
		switch {
		case required && check != "":
			g.printf("if %s {\nv.null(%s)\n} else {\n%s\n}\n", absent, mp, check)
		case required:
			g.printf("if %s {\nv.null(%s)\n}\n", absent, mp)
		default:
			g.printf("if %s {\n%s\n}\n", present, check)
		}
	}
	g.printf("}\n\n")
}

func (g *generator) listCheck(name string, s *shape) {
	elem := g.m.Shapes[s.Member.Shape]
	g.printf("func check%s(v *validator, p *path, x %s) {\n", name, g.goType(name, false))
	fail := "v.redacted(p, %q)"
	if elem.Type == "string" && !elem.Sensitive {
		fail = "v.strList(p, x, %q)"
	}
	g.lengthChecks(s, "len(x) < %d", "len(x) > %d", fail)
	if g.needs(s.Member.Shape) {
		ep := "&path{parent: p, index: i + 1}"
		g.printf("for i := range x {\n")
		if elem.Type == "structure" {
			g.printf("x[i].validate(v, %s)\n", ep)
		} else {
			g.printf("check%s(v, %s, x[i])\n", s.Member.Shape, ep)
		}
		g.printf("}\n")
	}
	g.printf("}\n\n")
}

// mapCheck supports length constraints on a map. Coral reports key and
// value constraints as "Map keys must satisfy constraint: [...]"; no KMS
// map has any, so the generator refuses them rather than guess.
func (g *generator) mapCheck(name string, s *shape) error {
	if g.needs(s.Key.Shape) || g.needs(s.Value.Shape) {
		return fmt.Errorf("map %s: key or value constraints are not supported by the generator", name)
	}
	g.printf("func check%s(v *validator, p *path, x %s) {\n", name, g.goType(name, false))
	g.lengthChecks(s, "len(x) < %d", "len(x) > %d", "v.redacted(p, %q)")
	g.printf("}\n\n")
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
