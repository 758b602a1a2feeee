package policy

import "encoding/json"

// ConsoleKeyPolicy is the choice the AWS console offers when it generates a
// key policy: key administrators (who may or may not delete the key) and
// key users.
type ConsoleKeyPolicy struct {
	AccountID           string
	Administrators      []string // principal ARNs
	AdministratorDelete bool     // administrators may schedule and cancel deletion
	Users               []string // principal ARNs
}

// Document returns the key policy the console generates for c, statement
// for statement: the account's IAM delegation, the administrators, the use
// of the key, and the attachment of persistent resources (grants for AWS
// services). Statements with no principal are left out.
func (c ConsoleKeyPolicy) Document() string {
	type principal struct {
		AWS any `json:"AWS"`
	}
	type statement struct {
		Sid       string         `json:"Sid"`
		Effect    string         `json:"Effect"`
		Principal principal      `json:"Principal"`
		Action    any            `json:"Action"`
		Resource  string         `json:"Resource"`
		Condition map[string]any `json:"Condition,omitempty"`
	}
	one := func(arns []string) any {
		if len(arns) == 1 {
			return arns[0]
		}
		return arns
	}
	stmts := []statement{{
		Sid: "Enable IAM User Permissions", Effect: "Allow",
		Principal: principal{"arn:aws:iam::" + c.AccountID + ":root"}, Action: "kms:*", Resource: "*",
	}}
	if len(c.Administrators) > 0 {
		actions := []string{"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
			"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
			"kms:RotateKeyOnDemand"}
		if c.AdministratorDelete {
			actions = append(actions, "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion")
		}
		stmts = append(stmts, statement{Sid: "Allow access for Key Administrators", Effect: "Allow",
			Principal: principal{one(c.Administrators)}, Action: actions, Resource: "*"})
	}
	if len(c.Users) > 0 {
		stmts = append(stmts,
			statement{Sid: "Allow use of the key", Effect: "Allow", Principal: principal{one(c.Users)},
				Action: []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}, Resource: "*"},
			statement{Sid: "Allow attachment of persistent resources", Effect: "Allow", Principal: principal{one(c.Users)},
				Action: []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}, Resource: "*",
				Condition: map[string]any{"Bool": map[string]string{"kms:GrantIsForAWSResource": "true"}}})
	}
	doc, _ := json.MarshalIndent(struct {
		Version   string      `json:"Version"`
		ID        string      `json:"Id"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", "key-consolepolicy-3", stmts}, "", "    ")
	return string(doc)
}
