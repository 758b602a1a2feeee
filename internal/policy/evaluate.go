package policy

// Evaluate evaluates r against this policy alone and returns the decision
// and the index of the statement that decided it (-1 for ImplicitDeny).
// A Deny that applies wins over every Allow.
//
// For a key policy, an Allow naming the caller's account principal
// ("111122223333" or "arn:aws:iam::111122223333:root") applies here only to
// the account root user: for any other caller it delegates the decision to
// the caller's identity policies, which only Authorize combines. An identity
// policy applies to the caller it is attached to, so its statements have no
// principal to match.
func (p *Policy) Evaluate(r *Request) (Decision, int) {
	res := p.eval(r)
	switch {
	case res.deny >= 0:
		return ExplicitDeny, res.deny
	case res.direct >= 0:
		return Allow, res.direct
	}
	return ImplicitDeny, -1
}

// evalResult locates the statements that decide a request.
type evalResult struct {
	deny    int // the first Deny that applies, or -1
	direct  int // the first Allow that applies to the caller itself, or -1
	account int // the first Allow that applies through the caller's account principal, or -1
}

func (p *Policy) eval(r *Request) evalResult {
	res := evalResult{deny: -1, direct: -1, account: -1}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == EffectAllow && res.direct >= 0 {
			continue // only a Deny can still change the outcome
		}
		switch m := s.applies(p, r); {
		case m == pNone:
		case s.Effect == EffectDeny:
			res.deny = i
			return res
		case m == pDirect:
			res.direct = i
		case res.account < 0:
			res.account = i
		}
	}
	return res
}

// applies reports whether, and how, the statement applies to r: its
// action, resource, principal and every condition must match. The cheap
// tests come first. A statement missing Action or Resource (accepted in key
// policies) applies to nothing.
func (s *Statement) applies(p *Policy, r *Request) pmatch {
	if !s.hasAction || !s.hasResource {
		return pNone
	}
	if s.matchActions(r.Action) == s.notAction {
		return pNone
	}
	in, ok := s.matchResources(r)
	if !ok || in == s.notResource {
		return pNone
	}
	m := pDirect
	if p.kind == KeyPolicy {
		if s.notPrincipal {
			m = s.principals.matchNot(&r.Principal, s.Effect)
		} else {
			m = s.principals.match(&r.Principal)
		}
		if m == pNone {
			return pNone
		}
	}
	for i := range s.conditions {
		if s.conditions[i].eval(r) != triTrue {
			return pNone
		}
	}
	return m
}

func (s *Statement) matchActions(action string) bool {
	for i := range s.actions {
		if matchAction(&s.actions[i], action) {
			return true
		}
	}
	return false
}

// matchResources reports whether any Resource pattern matches. ok is false
// when a pattern's policy variable cannot be resolved.
func (s *Statement) matchResources(r *Request) (in, ok bool) {
	for i := range s.resources {
		pt := &s.resources[i]
		text := pt.text
		if pt.tmpl != nil {
			var good bool
			if text, good = pt.tmpl.resolve(r, pt.kind != matchExact); !good {
				return false, false
			}
		}
		if matchResource(pt.kind, text, r.Resource) {
			return true, true
		}
	}
	return false, true
}
