package policy

import "errors"

// Parse parses and validates a policy document of the given kind. A key
// policy's statements must each name a Principal or NotPrincipal; an
// identity policy's must not. The returned Policy is compiled for
// evaluation: parse once, evaluate many times.
//
// Every refusal is a *MalformedError whose message follows AWS's wording
// (see the package documentation for which messages are AWS's own).
func Parse(doc string, kind Kind) (*Policy, error) {
	if kind != KeyPolicy && kind != IdentityPolicy {
		return nil, errors.New("policy: unknown document kind")
	}
	if len(doc) > MaxSize {
		return nil, &MalformedError{Message: msgTooLarge, TooLarge: true}
	}
	root, err := decodeJSON(doc)
	if err != nil || root.kind != jObject {
		return nil, malformed(msgSyntax)
	}
	p := &Policy{kind: kind}
	var stmts *jvalue
	for i := range root.obj {
		m := &root.obj[i]
		switch m.key {
		case "Version":
			if m.val.kind != jString {
				return nil, malformed(msgBadType("Version"))
			}
			if m.val.s != "2012-10-17" && m.val.s != "2008-10-17" {
				return nil, malformed(msgBadVersion(m.val.s))
			}
			p.Version = m.val.s
		case "Id":
			if m.val.kind != jString {
				return nil, malformed(msgBadType("Id"))
			}
			p.ID = m.val.s
		case "Statement":
			stmts = &m.val
		default:
			return nil, malformed(msgUnknownElement(m.key))
		}
	}
	p.vars = p.Version == "2012-10-17"
	if stmts == nil {
		return nil, malformed(msgNoStatements)
	}
	list := []jvalue{*stmts}
	if stmts.kind == jArray {
		list = stmts.arr
	}
	if len(list) == 0 {
		return nil, malformed(msgNoStatements)
	}
	sids := make(map[string]bool, len(list))
	p.Statements = make([]Statement, len(list))
	for i := range list {
		if err := parseStatement(&p.Statements[i], &list[i], p); err != nil {
			return nil, err
		}
		if sid := p.Statements[i].Sid; sid != "" {
			if sids[sid] {
				return nil, malformed(msgSidUnique)
			}
			sids[sid] = true
		}
	}
	return p, nil
}

func parseStatement(s *Statement, v *jvalue, p *Policy) error {
	if v.kind != jObject {
		return malformed(msgSyntax)
	}
	var effect *jvalue
	seen := map[string]bool{}
	for i := range v.obj {
		m := &v.obj[i]
		seen[m.key] = true
		var err error
		switch m.key {
		case "Sid":
			if m.val.kind != jString {
				return malformed(msgBadType("Sid"))
			}
			if p.kind == IdentityPolicy && !validSidIAM(m.val.s) {
				return malformed(msgSidAlnum)
			}
			s.Sid = m.val.s
		case "Effect":
			effect = &m.val
		case "Principal", "NotPrincipal":
			if p.kind == IdentityPolicy {
				return malformed(msgPrincipalInIAM)
			}
			s.hasPrincipal, s.notPrincipal = true, m.key == "NotPrincipal"
			err = parsePrincipal(&s.principals, &m.val)
		case "Action", "NotAction":
			s.notAction = m.key == "NotAction"
			s.actions, err = parseList(&m.val, m.key, func(x string) (pattern, error) { return compileAction(x) })
			s.hasAction = len(s.actions) > 0
		case "Resource", "NotResource":
			s.notResource = m.key == "NotResource"
			s.resources, err = parseList(&m.val, m.key, func(x string) (pattern, error) { return compileResource(x, p.kind, p.vars) })
			s.hasResource = len(s.resources) > 0
		case "Condition":
			s.conditions, err = compileConditions(&m.val, p)
		default:
			return malformed(msgUnknownElement(m.key))
		}
		if err != nil {
			return err
		}
	}
	for _, pair := range [][2]string{{"Principal", "NotPrincipal"}, {"Action", "NotAction"}, {"Resource", "NotResource"}} {
		if seen[pair[0]] && seen[pair[1]] {
			return malformed(msgBoth(pair[0], pair[1]))
		}
	}
	switch {
	case effect == nil || effect.kind != jString:
		return malformed(msgEffect)
	case effect.s == "Allow":
		s.Effect = EffectAllow
	case effect.s == "Deny":
		s.Effect = EffectDeny
	default:
		return malformed(msgEffect)
	}
	if p.kind == KeyPolicy && !s.hasPrincipal {
		return malformed(msgNoPrincipal)
	}
	// A key policy statement without Action or Resource is accepted and has
	// no effect (PutKeyPolicy documentation); IAM refuses one.
	if p.kind == IdentityPolicy && !s.hasAction {
		return malformed(msgNoActions)
	}
	if p.kind == IdentityPolicy && !s.hasResource {
		return malformed(msgNoResources)
	}
	return nil
}

// parseList reads a string or an array of strings and compiles each.
func parseList(v *jvalue, element string, compile func(string) (pattern, error)) ([]pattern, error) {
	strs, ok := stringList(v)
	if !ok {
		return nil, malformed(msgBadType(element))
	}
	out := make([]pattern, 0, len(strs))
	for _, s := range strs {
		pt, err := compile(s)
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}

// stringList reads a string or an array of strings.
func stringList(v *jvalue) ([]string, bool) {
	switch v.kind {
	case jString:
		return []string{v.s}, true
	case jArray:
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			if v.arr[i].kind != jString {
				return nil, false
			}
			out = append(out, v.arr[i].s)
		}
		return out, true
	}
	return nil, false
}

func parsePrincipal(set *principalSet, v *jvalue) error {
	switch v.kind {
	case jString:
		if v.s != "*" {
			return malformed(msgInvalidPrincipals)
		}
		set.any = true
		return nil
	case jObject:
	default:
		return malformed(msgInvalidPrincipals)
	}
	if len(v.obj) == 0 {
		return malformed(msgNoPrincipal)
	}
	for i := range v.obj {
		m := &v.obj[i]
		if m.key != "AWS" && m.key != "Service" && m.key != "Federated" {
			return malformed(msgInvalidPrincipals)
		}
		vals, ok := stringList(&m.val)
		if !ok || len(vals) == 0 {
			return malformed(msgInvalidPrincipals)
		}
		for _, s := range vals {
			if err := addPrincipal(set, m.key, s); err != nil {
				return err
			}
		}
	}
	return nil
}
