package policy

import "testing"

func TestGeneratedConsoleKeyPolicy(t *testing.T) {
	acct := "111122223333"
	admin, user := "arn:aws:iam::"+acct+":user/kms-admin", "arn:aws:iam::"+acct+":user/app"
	for _, canDelete := range []bool{false, true} {
		doc := ConsoleKeyPolicy{AccountID: acct, Administrators: []string{admin}, AdministratorDelete: canDelete, Users: []string{user}}.Document()
		p, err := Parse(doc, KeyPolicy)
		if err != nil {
			t.Fatalf("generated policy does not parse: %v\n%s", err, doc)
		}
		ask := func(who, action string) Decision {
			r := &Request{Action: action, Resource: "arn:aws:kms:us-east-1:" + acct + ":key/k",
				Principal: Principal{ARN: who, AccountID: acct, UserName: "x"}}
			return Authorize(p, nil, nil, r).Decision
		}
		for _, tc := range []struct {
			who, action string
			want        Decision
		}{
			{admin, "kms:PutKeyPolicy", Allow},
			{admin, "kms:ScheduleKeyDeletion", map[bool]Decision{false: ImplicitDeny, true: Allow}[canDelete]},
			{admin, "kms:Encrypt", ImplicitDeny},
			{user, "kms:Encrypt", Allow},
			{user, "kms:Decrypt", Allow},
			{user, "kms:ScheduleKeyDeletion", ImplicitDeny},
			{user, "kms:PutKeyPolicy", ImplicitDeny},
		} {
			if got := ask(tc.who, tc.action); got != tc.want {
				t.Errorf("delete=%v %s %s = %v, want %v", canDelete, tc.who, tc.action, got, tc.want)
			}
		}
	}
}
