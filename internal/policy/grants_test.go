package policy

import "testing"

func TestGrants(t *testing.T) {
	equals := Grant{Grantee: bob, Operations: []string{"Decrypt", "DescribeKey", "RetireGrant"},
		EncryptionContextEquals: map[string]string{"Department": "Finance", "Classification": "Public"}}
	subset := Grant{Grantee: bob, Operations: []string{"GenerateDataKey", "Decrypt"},
		EncryptionContextSubset: map[string]string{"Department": "Finance", "Classification": "Public"}}
	empty := Grant{Grantee: bob, Operations: []string{"Encrypt"}, EncryptionContextEquals: map[string]string{}}
	plain := Grant{Grantee: bob, Operations: []string{"Encrypt", "ReEncryptFrom", "ReEncryptTo", "Sign"}}
	bogus := Grant{Grantee: bob, Operations: []string{"ScheduleKeyDeletion", "encrypt"}}

	ec := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name  string
		g     Grant
		op    string
		p     Principal
		ctx   map[string]string
		allow bool
	}{
		{"equals: same pairs", equals, "kms:Decrypt", user("bob"), ec("Classification", "Public", "Department", "Finance"), true},
		{"equals: key case ignored", equals, "kms:Decrypt", user("bob"), ec("classification", "Public", "DEPARTMENT", "Finance"), true},
		{"equals: value case matters", equals, "kms:Decrypt", user("bob"), ec("Classification", "public", "Department", "Finance"), false},
		{"equals: extra pair", equals, "kms:Decrypt", user("bob"), ec("Classification", "Public", "Department", "Finance", "Purpose", "Test"), false},
		{"equals: missing pair", equals, "kms:Decrypt", user("bob"), ec("Department", "Finance"), false},
		{"equals: no context", equals, "kms:Decrypt", user("bob"), nil, false},
		{"equals: DescribeKey is not constrained", equals, "kms:DescribeKey", user("bob"), nil, true},
		{"equals: RetireGrant is not constrained", equals, "kms:RetireGrant", user("bob"), nil, true},
		{"subset: exact", subset, "kms:GenerateDataKey", user("bob"), ec("Department", "Finance", "Classification", "Public"), true},
		{"subset: more pairs", subset, "kms:Decrypt", user("bob"), ec("Customer", "12345", "Department", "Finance", "Classification", "Public", "Purpose", "Test"), true},
		{"subset: incomplete", subset, "kms:Decrypt", user("bob"), ec("Department", "Finance"), false},
		{"subset: values differ in case", subset, "kms:Decrypt", user("bob"), ec("department", "finance", "classification", "public"), false},
		{"subset: other pairs", subset, "kms:Decrypt", user("bob"), ec("Classification", "Public", "Customer", "12345"), false},
		{"empty equals: empty context", empty, "kms:Encrypt", user("bob"), nil, true},
		{"empty equals: any pair refused", empty, "kms:Encrypt", user("bob"), ec("a", "b"), false},
		{"no constraint", plain, "kms:Encrypt", user("bob"), ec("a", "b"), true},
		{"operation not granted", plain, "kms:Decrypt", user("bob"), nil, false},
		{"ReEncryptFrom", plain, "kms:ReEncryptFrom", user("bob"), nil, true},
		{"action case", plain, "KMS:encrypt", user("bob"), nil, true},
		{"another grantee", plain, "kms:Encrypt", user("alice"), nil, false},
		{"not a grant operation", bogus, "kms:ScheduleKeyDeletion", user("bob"), nil, false},
		{"misspelt operation is not granted", bogus, "kms:Encrypt", user("bob"), nil, false},
		{"other service", plain, "s3:Encrypt", user("bob"), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req(tc.op, tc.p)
			r.EncryptionContext = tc.ctx
			got := tc.g.allows(r) != pNone
			if got != tc.allow {
				t.Errorf("allows = %v, want %v", got, tc.allow)
			}
			res := Authorize(keyPolicy(t, rootStatement), nil, []Grant{tc.g}, r)
			if (res.Decision == Allow) != tc.allow {
				t.Errorf("Authorize = %+v, want allow=%v", res, tc.allow)
			}
		})
	}
}

func TestValidGrantOperation(t *testing.T) {
	for _, op := range GrantOperations {
		if !ValidGrantOperation(op) {
			t.Errorf("%s refused", op)
		}
	}
	for _, op := range []string{"", "encrypt", "ScheduleKeyDeletion", "ReEncrypt", "CreateKey", "PutKeyPolicy"} {
		if ValidGrantOperation(op) {
			t.Errorf("%q accepted", op)
		}
	}
}

func TestGrantPermitsChild(t *testing.T) {
	parent := Grant{Grantee: bob, Operations: []string{"GenerateDataKey", "Decrypt", "CreateGrant"},
		EncryptionContextSubset: map[string]string{"Department": "Finance"}}
	exact := Grant{Grantee: bob, Operations: []string{"Decrypt", "CreateGrant"},
		EncryptionContextEquals: map[string]string{"Department": "Finance"}}
	tests := []struct {
		name   string
		parent Grant
		child  Grant
		want   bool
	}{
		{"subset of operations, same subset", parent, Grant{Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"Department": "Finance"}}, true},
		{"subset gains a pair", parent, Grant{Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"Department": "Finance", "Project": "A"}}, true},
		{"subset becomes equals", parent, Grant{Operations: []string{"Decrypt"}, EncryptionContextEquals: map[string]string{"Department": "Finance"}}, true},
		{"subset dropped", parent, Grant{Operations: []string{"Decrypt"}}, false},
		{"subset loses its pair", parent, Grant{Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"Project": "A"}}, false},
		{"extra operation", parent, Grant{Operations: []string{"Decrypt", "Encrypt"}, EncryptionContextSubset: map[string]string{"Department": "Finance"}}, false},
		{"equals kept", exact, Grant{Operations: []string{"Decrypt"}, EncryptionContextEquals: map[string]string{"Department": "Finance"}}, true},
		{"equals widened to subset", exact, Grant{Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"Department": "Finance"}}, false},
		{"equals changed", exact, Grant{Operations: []string{"Decrypt"}, EncryptionContextEquals: map[string]string{"Department": "Finance", "X": "y"}}, false},
		{"unconstrained parent", Grant{Grantee: bob, Operations: []string{"Decrypt", "CreateGrant"}}, Grant{Operations: []string{"Decrypt"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.parent.Permits(&tc.child); got != tc.want {
				t.Errorf("Permits = %v, want %v", got, tc.want)
			}
			r := req("kms:CreateGrant", user("bob"))
			r.ChildGrant = &tc.child
			res := Authorize(keyPolicy(t, rootStatement), nil, []Grant{tc.parent}, r)
			if (res.Decision == Allow) != tc.want {
				t.Errorf("Authorize CreateGrant = %+v, want allow=%v", res, tc.want)
			}
		})
	}
}
