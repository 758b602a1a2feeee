package console

import (
	"net/url"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/policy"
)

// The create-key keyWizard's steps, as the AWS console orders them.
var keyWizardSteps = []string{"Configure key", "Add labels", "Define key administrative permissions",
	"Define key usage permissions", "Review"}

// keyWizard is the create-key keyWizard's state: every value chosen so far,
// carried from step to step in hidden fields (nothing is kept on the
// server between steps).
type keyWizard struct {
	Step        int    // 1..5
	KeyType     string // "symmetric" | "asymmetric"
	Usage       string // KeyUsage
	Spec        string // KeySpec
	Origin      string // "AWS_KMS" | "EXTERNAL"
	Ack         bool   // the imported-key acknowledgement
	MultiRegion bool
	Alias       string // without "alias/"
	Description string
	Tags        [][2]string
	Admins      []string // user ARNs
	AdminDelete bool
	Users       []string // user ARNs
	Accounts    []string // other accounts' IDs
	Policy      string   // the review step's (possibly edited) policy

	// For rendering only.
	Steps     []string
	UserARNs  []keyUserChoice // the account's users, for steps 3 and 4
	UsersErr  string          // why they could not be listed
	Hidden    [][2]string     // the fields of the other steps
	Specs     []keySpecChoice
	AccountID string
}

type keyUserChoice struct{ Name, ARN string }

type keySpecChoice struct{ Spec, Group string }

// keySpecChoices are the key specs step 1 offers, grouped by the key type and
// usage they go with; the step checks the combination.
var keySpecChoices = []keySpecChoice{
	{"SYMMETRIC_DEFAULT", "Symmetric, encrypt and decrypt"},
	{"HMAC_224", "Symmetric, generate and verify MAC"}, {"HMAC_256", "Symmetric, generate and verify MAC"},
	{"HMAC_384", "Symmetric, generate and verify MAC"}, {"HMAC_512", "Symmetric, generate and verify MAC"},
	{"RSA_2048", "Asymmetric"}, {"RSA_3072", "Asymmetric"}, {"RSA_4096", "Asymmetric"},
	{"ECC_NIST_P256", "Asymmetric"}, {"ECC_NIST_P384", "Asymmetric"}, {"ECC_NIST_P521", "Asymmetric"},
	{"ECC_SECG_P256K1", "Asymmetric"}, {"ECC_NIST_EDWARDS25519", "Asymmetric"},
	{"ML_DSA_44", "Asymmetric"}, {"ML_DSA_65", "Asymmetric"}, {"ML_DSA_87", "Asymmetric"},
}

// readKeyWizard reads the keyWizard's state from a POSTed form. A checkbox is
// sent as a hidden "no" followed by the box's "yes", so that a cleared box
// differs from a step not yet shown (AdminDelete defaults to checked).
func readKeyWizard(f url.Values) *keyWizard {
	wz := &keyWizard{
		KeyType: kwDefault(f.Get("keytype"), "symmetric"), Usage: kwDefault(f.Get("usage"), "ENCRYPT_DECRYPT"),
		Spec: kwDefault(f.Get("spec"), "SYMMETRIC_DEFAULT"), Origin: kwDefault(f.Get("origin"), "AWS_KMS"),
		Ack: kwChecked(f, "ack", false), MultiRegion: f.Get("regionality") == "multi",
		Alias: strings.TrimPrefix(strings.TrimSpace(f.Get("alias")), "alias/"), Description: f.Get("description"),
		Admins: kwNonEmpty(f["admin"]), AdminDelete: kwChecked(f, "admindelete", true),
		Users: kwNonEmpty(f["user"]), Accounts: kwNonEmpty(f["account"]), Policy: f.Get("policy"),
	}
	keys, vals := f["tagkey"], f["tagvalue"]
	for i, k := range keys {
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		if strings.TrimSpace(k) != "" || v != "" {
			wz.Tags = append(wz.Tags, [2]string{strings.TrimSpace(k), v})
		}
	}
	return wz
}

func kwDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func kwChecked(f url.Values, name string, dflt bool) bool {
	vs := f[name]
	if len(vs) == 0 {
		return dflt
	}
	return vs[len(vs)-1] == "yes"
}

func kwNonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// check validates the step the keyWizard is leaving.
func (wz *keyWizard) check(step int) error {
	switch step {
	case 1:
		if wz.Origin != "AWS_KMS" && wz.Origin != "EXTERNAL" {
			return invalid("Choose the key material origin: KMS or External (Import Key material).")
		}
		if wz.Origin == "EXTERNAL" && !wz.Ack {
			return invalid("To create a key for imported key material, confirm that you understand the security, availability, and durability implications of using an imported key.")
		}
		sym := wz.Spec == "SYMMETRIC_DEFAULT" || strings.HasPrefix(wz.Spec, "HMAC_")
		if sym != (wz.KeyType == "symmetric") || !validKeyUsage(wz.Spec, wz.Usage) {
			return invalid("Key spec " + wz.Spec + " does not go with a " + wz.KeyType + " key for usage " + wz.Usage + ". Choose another key spec or key usage.")
		}
	case 2:
		switch {
		case wz.Alias == "":
			return invalid("Enter an alias for the key.")
		case strings.HasPrefix(strings.ToLower(wz.Alias), "aws/"):
			return invalid("The alias must not begin with aws/: that prefix is reserved for AWS managed keys.")
		}
		for _, t := range wz.Tags {
			if t[0] == "" {
				return invalid("Every tag needs a key.")
			}
		}
	case 4:
		for _, a := range wz.Accounts {
			if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
				return invalid("Other AWS accounts: " + a + " is not a 12-digit account ID.")
			}
		}
	}
	return nil
}

// keyPolicy is the key policy the AWS console generates from steps 3 and
// 4: other accounts are key users through their account root.
func (wz *keyWizard) keyPolicy(accountID string) string {
	users := append([]string(nil), wz.Users...)
	for _, a := range wz.Accounts {
		users = append(users, "arn:aws:iam::"+a+":root")
	}
	return policy.ConsoleKeyPolicy{AccountID: accountID, Administrators: wz.Admins,
		AdministratorDelete: wz.AdminDelete, Users: users}.Document()
}

// fields are the keyWizard's values as form fields, by the step that shows
// them.
func (wz *keyWizard) fields() map[int][][2]string {
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	reg := "single"
	if wz.MultiRegion {
		reg = "multi"
	}
	m := map[int][][2]string{
		1: {{"keytype", wz.KeyType}, {"usage", wz.Usage}, {"spec", wz.Spec}, {"origin", wz.Origin}, {"ack", yn(wz.Ack)}, {"regionality", reg}},
		2: {{"alias", wz.Alias}, {"description", wz.Description}},
		3: {{"admindelete", yn(wz.AdminDelete)}},
	}
	for _, t := range wz.Tags {
		m[2] = append(m[2], [2]string{"tagkey", t[0]}, [2]string{"tagvalue", t[1]})
	}
	for _, a := range wz.Admins {
		m[3] = append(m[3], [2]string{"admin", a})
	}
	for _, u := range wz.Users {
		m[4] = append(m[4], [2]string{"user", u})
	}
	for _, a := range wz.Accounts {
		m[4] = append(m[4], [2]string{"account", a})
	}
	return m
}

// validKeyUsage reports whether a key of spec may have usage.
func validKeyUsage(spec, usage string) bool {
	kt := kms.KeyTypeOf(spec)
	if kt == nil || !kt.Served {
		return false
	}
	_, ok := kt.Usages[usage]
	return ok
}
