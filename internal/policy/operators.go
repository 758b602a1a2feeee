package policy

import (
	"errors"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opKind is a positive condition operator; negated operators are these
// with condition.negated set.
type opKind uint8

const (
	opStringEquals opKind = iota + 1
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike
	opNull
)

type family uint8

const (
	famString family = iota + 1
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

func (o opKind) family() family {
	switch {
	case o <= opStringLike:
		return famString
	case o <= opNumericGreaterThanEquals:
		return famNumeric
	case o <= opDateGreaterThanEquals:
		return famDate
	case o == opBool:
		return famBool
	case o == opBinaryEquals:
		return famBinary
	case o == opIPAddress:
		return famIP
	case o == opArnLike:
		return famARN
	}
	return famNull
}

type opInfo struct {
	op      opKind
	negated bool
}

// operators are the condition operators of the IAM policy language, by
// name (case-sensitive), before any ForAnyValue:/ForAllValues: prefix and
// IfExists suffix.
var operators = map[string]opInfo{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinaryEquals, false},
	"IpAddress":                 {opIPAddress, false},
	"NotIpAddress":              {opIPAddress, true},
	"ArnEquals":                 {opArnLike, false},
	"ArnLike":                   {opArnLike, false},
	"ArnNotEquals":              {opArnLike, true},
	"ArnNotLike":                {opArnLike, true},
	"Null":                      {opNull, false},
}

var errBadValue = errors.New("policy: invalid condition value")

// matchValue reports whether request value i satisfies the positive
// operator against any policy value. ok is false when a policy variable
// cannot be resolved. A request value that does not parse as the operator's
// type matches nothing.
func (c *condition) matchValue(r *Request, v *vals, i int) (matched, ok bool) {
	switch c.op.family() {
	case famNumeric:
		f, err := strconv.ParseFloat(v.at(i), 64)
		if err != nil {
			return false, true
		}
		for _, n := range c.nums {
			if holds(c.op, cmpFloat(f, n)) {
				return true, true
			}
		}
		return false, true
	case famDate:
		t, good := v.time(i)
		if !good {
			return false, true
		}
		for _, pt := range c.times {
			if holds(c.op, t.Compare(pt)) {
				return true, true
			}
		}
		return false, true
	case famIP:
		a, err := netip.ParseAddr(v.at(i))
		if err != nil {
			return false, true
		}
		a = a.Unmap().WithZone("")
		for _, n := range c.nets {
			if n.Contains(a) {
				return true, true
			}
		}
		return false, true
	}
	s := v.at(i)
	for j, pv := range c.values {
		if c.hasVars && c.tmpls[j] != nil {
			var good bool
			if pv, good = c.tmpls[j].resolve(r, c.op == opStringLike || c.op == opArnLike); !good {
				return false, false
			}
		}
		if compareString(c.op, pv, s) {
			return true, true
		}
	}
	return false, true
}

func compareString(op opKind, pv, s string) bool {
	switch op {
	case opStringEquals, opBinaryEquals:
		return s == pv
	case opStringEqualsIgnoreCase, opBool:
		return strings.EqualFold(s, pv)
	case opStringLike:
		return globMatch(pv, s, false)
	case opArnLike:
		return matchARN(pv, s)
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	if a == b {
		return 0
	}
	return 2 // NaN: no ordering holds
}

// holds reports whether the comparison of the request value with the
// policy value (-1, 0, 1) satisfies an ordering operator.
func holds(op opKind, cmp int) bool {
	switch op {
	case opNumericEquals, opDateEquals:
		return cmp == 0
	case opNumericLessThan, opDateLessThan:
		return cmp == -1
	case opNumericLessThanEquals, opDateLessThanEquals:
		return cmp == -1 || cmp == 0
	case opNumericGreaterThan, opDateGreaterThan:
		return cmp == 1
	case opNumericGreaterThanEquals, opDateGreaterThanEquals:
		return cmp == 1 || cmp == 0
	}
	return false
}

func (v *vals) time(i int) (time.Time, bool) {
	if v.hasTime {
		return v.t, true
	}
	return parseDate(v.at(i))
}

// parseDate reads the date forms IAM accepts: the W3C profile of ISO 8601
// (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mmTZD, YYYY-MM-DDThh:mm:ssTZD,
// with fractional seconds) and epoch seconds, optionally fractional. A
// time without a zone is read as UTC.
func parseDate(s string) (time.Time, bool) {
	if isEpoch(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(f) > 1e13 {
			return time.Time{}, false
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	var layouts []string
	switch {
	case strings.IndexByte(s, 'T') >= 0:
		layouts = dateTimeLayouts
	case len(s) == 4:
		layouts = yearLayout
	case len(s) == 7:
		layouts = monthLayout
	case len(s) == 10:
		layouts = dayLayout
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var (
	dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"}
	yearLayout      = []string{"2006"}
	monthLayout     = []string{"2006-01"}
	dayLayout       = []string{"2006-01-02"}
)

func isEpoch(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.', c == '-' && i == 0:
		default:
			return false
		}
	}
	return digits > 0 && !(len(s) == 4 && digits == 4) // "2024" is a year
}

// parseNet reads an IpAddress value: a CIDR block, or an address meaning
// /32 (IPv4) or /128 (IPv6).
func parseNet(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), true
}
