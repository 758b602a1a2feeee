package policy

import (
	"strconv"
	"strings"
	"time"
)

// compileConditions compiles a Condition element:
//
//	{"<operator>": {"<key>": <value or [values]>, ...}, ...}
//
// Operators and keys are ANDed; the values of one key are ORed (NORed for
// a negated operator).
func compileConditions(v *jvalue, p *Policy) ([]condition, error) {
	if v.kind != jObject {
		return nil, malformed(msgBadType("Condition"))
	}
	var out []condition
	for i := range v.obj {
		opName := v.obj[i].key
		block := &v.obj[i].val
		base, set, ifExists := splitOperator(opName)
		info, ok := operators[base]
		if !ok || ifExists && info.op == opNull {
			return nil, malformed(msgBadOperator(opName))
		}
		if block.kind != jObject {
			return nil, malformed(msgBadType("Condition"))
		}
		for j := range block.obj {
			c := condition{op: info.op, negated: info.negated, ifExists: ifExists, set: set,
				key: strings.ToLower(block.obj[j].key)}
			if c.key == "" {
				return nil, malformed(msgBadConditionKey)
			}
			if p.kind == KeyPolicy && set == setAllValues {
				switch {
				case strings.HasPrefix(c.key, "kms:encryptioncontext:"):
					return nil, malformed(msgOverlyEC)
				case strings.HasPrefix(c.key, "aws:requesttag/"):
					return nil, malformed(msgOverlyTag)
				}
			}
			vals, ok := scalarList(&block.obj[j].val)
			if !ok {
				return nil, malformed(msgBadConditionValue(opName))
			}
			if err := c.compileValues(vals, p.vars); err != nil {
				return nil, malformed(msgBadConditionValue(opName))
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// splitOperator splits "ForAnyValue:StringLikeIfExists" into "StringLike",
// setAnyValue and true.
func splitOperator(name string) (base string, set setMode, ifExists bool) {
	switch {
	case strings.HasPrefix(name, "ForAnyValue:"):
		name, set = name[len("ForAnyValue:"):], setAnyValue
	case strings.HasPrefix(name, "ForAllValues:"):
		name, set = name[len("ForAllValues:"):], setAllValues
	}
	if strings.HasSuffix(name, "IfExists") {
		name, ifExists = name[:len(name)-len("IfExists")], true
	}
	return name, set, ifExists
}

// scalarList reads a condition value: a string, number or boolean, or an
// array of them.
func scalarList(v *jvalue) ([]string, bool) {
	switch v.kind {
	case jString, jNumber, jBool:
		return []string{v.s}, true
	case jArray:
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			switch v.arr[i].kind {
			case jString, jNumber, jBool:
				out = append(out, v.arr[i].s)
			default:
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// compileValues parses the policy values for the operator's family. Policy
// variables are expanded in string, ARN and Bool values only, as AWS does.
func (c *condition) compileValues(vals []string, vars bool) error {
	c.values = vals
	switch c.op.family() {
	case famString, famARN, famBool:
		if vars {
			c.tmpls = make([]*template, len(vals))
			for i, s := range vals {
				c.tmpls[i] = compileTemplate(s)
				c.hasVars = c.hasVars || c.tmpls[i] != nil
			}
		}
		if c.op.family() == famBool {
			for i, s := range vals {
				if (!c.hasVars || c.tmpls[i] == nil) && !isBool(s) {
					return errBadValue
				}
			}
		}
	case famNumeric:
		for _, s := range vals {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return errBadValue
			}
			c.nums = append(c.nums, f)
		}
	case famDate:
		for _, s := range vals {
			t, ok := parseDate(s)
			if !ok {
				return errBadValue
			}
			c.times = append(c.times, t)
		}
	case famIP:
		for _, s := range vals {
			n, ok := parseNet(s)
			if !ok {
				return errBadValue
			}
			c.nets = append(c.nets, n)
		}
	case famNull:
		for _, s := range vals {
			if !isBool(s) {
				return errBadValue
			}
			if strings.EqualFold(s, "true") {
				c.nullAbsent = true
			} else {
				c.nullPresent = true
			}
		}
	}
	return nil
}

func isBool(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

// tri is a condition's outcome: true, false, or invalid (an unresolvable
// policy variable, which makes the whole statement not apply).
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triInvalid
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// eval evaluates the condition against the request, with AWS's rules for
// missing keys, ...IfExists, Null and the set operators:
//
//   - a missing key (no values) makes a positive operator false and a
//     negated one true; ...IfExists makes it true; ForAllValues true;
//     ForAnyValue false;
//   - without a set operator, a positive operator holds when any request
//     value matches any policy value, a negated one when none does;
//   - ForAnyValue holds when some request value satisfies the operator,
//     ForAllValues when every one does.
func (c *condition) eval(r *Request) tri {
	v := lookup(r, c.key)
	if c.op == opNull {
		if v.n == 0 {
			return triOf(c.nullAbsent)
		}
		return triOf(c.nullPresent)
	}
	if v.n == 0 {
		switch {
		case c.ifExists, c.set == setAllValues:
			return triTrue
		case c.set == setAnyValue:
			return triFalse
		}
		return triOf(c.negated)
	}
	for i := 0; i < v.n; i++ {
		m, ok := c.matchValue(r, &v, i)
		if !ok {
			return triInvalid
		}
		switch c.set {
		case setNone:
			if m {
				return triOf(!c.negated)
			}
		case setAnyValue:
			if m != c.negated {
				return triTrue
			}
		case setAllValues:
			if m == c.negated {
				return triFalse
			}
		}
	}
	switch c.set {
	case setNone:
		return triOf(c.negated)
	case setAnyValue:
		return triFalse
	}
	return triTrue
}

// vals is a request key's values without allocating for derived keys.
type vals struct {
	many    []string
	one     string
	n       int
	t       time.Time // derived aws:CurrentTime / aws:EpochTime
	hasTime bool
	epoch   bool
}

func (v *vals) at(i int) string {
	switch {
	case v.many != nil:
		return v.many[i]
	case v.hasTime && v.epoch:
		return strconv.FormatInt(v.t.Unix(), 10)
	case v.hasTime:
		return v.t.UTC().Format(time.RFC3339)
	}
	return v.one
}

// lookup finds a condition key (lower case) in the request: in Context,
// then in Context case-insensitively, then among the keys derived from the
// principal and the request time.
func lookup(r *Request, key string) vals {
	if r.Context != nil {
		if v, ok := r.Context[key]; ok {
			return vals{many: v, n: len(v)}
		}
		for k, v := range r.Context {
			if equalFoldASCII(k, key) {
				return vals{many: v, n: len(v)}
			}
		}
	}
	one := func(s string) vals {
		if s == "" {
			return vals{}
		}
		return vals{one: s, n: 1}
	}
	switch key {
	case "aws:principalarn":
		return one(r.Principal.ARN)
	case "aws:principalaccount", "kms:calleraccount":
		return one(r.Principal.AccountID)
	case "aws:username":
		return one(r.Principal.UserName)
	case "aws:principaltype":
		switch {
		case r.Principal.ARN == "" || r.Principal.AccountID == "":
			return vals{}
		case r.Principal.IsRoot():
			return one("Account")
		}
		return one("User")
	case "aws:currenttime", "aws:epochtime":
		if !r.Time.IsZero() {
			return vals{n: 1, t: r.Time, hasTime: true, epoch: key == "aws:epochtime"}
		}
	}
	return vals{}
}
