package iamapi

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/iam"
)

// rule is the model's constraints on one string parameter. pattern is the
// Go form of the model's pattern, display the model's own text, which
// ValidationError messages quote.
type rule struct {
	min, max int
	pattern  *regexp.Regexp
	display  string
	enum     []string
}

func pattern(goRE, display string) (*regexp.Regexp, string) {
	return regexp.MustCompile(`^(?:` + goRE + `)$`), display
}

var (
	reName, dispName         = pattern(`[\w+=,.@-]+`, `[\w+=,.@-]+`)
	rePath, dispPath         = pattern(`/|/[!-~]+/`, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	rePrefix, dispPrefix     = pattern(`/[!-\x7f]*`, `\u002F[\u0021-\u007F]*`)
	reKeyID, dispKeyID       = pattern(`\w+`, `[\w]+`)
	reDocument, dispDocument = pattern(`[\t\n\r\x{20}-\x{FF}]+`, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	reMarker, dispMarker     = pattern(`[\x{20}-\x{FF}]+`, `[\u0020-\u00FF]+`)

	ruleNewUserName = rule{min: 1, max: 64, pattern: reName, display: dispName}
	ruleUserName    = rule{min: 1, max: 128, pattern: reName, display: dispName}
	rulePath        = rule{min: 1, max: 512, pattern: rePath, display: dispPath}
	rulePathPrefix  = rule{min: 1, max: 512, pattern: rePrefix, display: dispPrefix}
	ruleKeyID       = rule{min: 16, max: 128, pattern: reKeyID, display: dispKeyID}
	ruleStatus      = rule{enum: []string{"Active", "Inactive"}}
	rulePolicyName  = rule{min: 1, max: 128, pattern: reName, display: dispName}
	rulePolicyDoc   = rule{min: 1, max: 131072, pattern: reDocument, display: dispDocument}
	rulePolicyARN   = rule{min: 20, max: 2048}
	ruleMarker      = rule{min: 1, max: 320, pattern: reMarker, display: dispMarker}
)

// params reads and validates an action's parameters, collecting every
// violation for one ValidationError as AWS does.
type params struct {
	form url.Values
	errs []string
}

func newParams(form url.Values) *params { return &params{form: form} }

// opt returns the parameter name ("" when absent), recording its
// violations of r.
func (p *params) opt(name string, r rule) string {
	vs, ok := p.form[name]
	if !ok || len(vs) == 0 {
		return ""
	}
	v := vs[0]
	if len(r.enum) > 0 {
		for _, e := range r.enum {
			if v == e {
				return v
			}
		}
		p.violate(v, name, "Member must satisfy enum value set: ["+strings.Join(r.enum, ", ")+"]")
		return v
	}
	n := utf8.RuneCountInString(v)
	if n < r.min {
		p.violate(v, name, "Member must have length greater than or equal to "+strconv.Itoa(r.min))
	}
	if r.max > 0 && n > r.max {
		p.violate(v, name, "Member must have length less than or equal to "+strconv.Itoa(r.max))
	}
	if r.pattern != nil && v != "" && !r.pattern.MatchString(v) {
		p.violate(v, name, "Member must satisfy regular expression pattern: "+r.display)
	}
	return v
}

// req is opt for a required parameter.
func (p *params) req(name string, r rule) string {
	if _, ok := p.form[name]; !ok {
		p.errs = append(p.errs, "Value null at '"+memberName(name)+"' failed to satisfy constraint: Member must not be null")
		return ""
	}
	return p.opt(name, r)
}

// maxItems returns MaxItems: 100 when absent, else 1 to 1000.
func (p *params) maxItems() int {
	v := p.form.Get("MaxItems")
	if v == "" {
		return 100
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		p.violate(v, "MaxItems", "Member must be an integer")
	case n < 1:
		p.violate(v, "MaxItems", "Member must have value greater than or equal to 1")
	case n > 1000:
		p.violate(v, "MaxItems", "Member must have value less than or equal to 1000")
	}
	return n
}

func (p *params) violate(value, name, constraint string) {
	p.errs = append(p.errs, "Value '"+clip(value)+"' at '"+memberName(name)+"' failed to satisfy constraint: "+constraint)
}

// err returns the ValidationError for the violations recorded, or nil.
func (p *params) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return iam.Errorf(iam.ValidationError, "1 validation error detected: %s", p.errs[0])
	}
	return iam.Errorf(iam.ValidationError, "%d validation errors detected: %s", len(p.errs), strings.Join(p.errs, "; "))
}

// has reports whether any parameter starts with prefix ("Tags.").
func (p *params) has(prefix string) bool {
	for k := range p.form {
		if k == strings.TrimSuffix(prefix, ".") || strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// memberName is the name AWS's messages give a parameter: UserName is
// 'userName'.
func memberName(name string) string {
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return name
	}
	return string(name[0]+'a'-'A') + name[1:]
}

// clip bounds client text echoed in a message to 256 characters.
func clip(s string) string { return iam.Clip(s) }
