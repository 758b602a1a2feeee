package policy

// Managed policies Trent knows, by ARN: the AWS managed policies the BYOK
// procedure attaches to users. Their documents are AWS's.
var managed = map[string]string{
	"arn:aws:iam::aws:policy/AdministratorAccess": `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
}`,
	"arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser": `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": [
      "kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias", "kms:Describe*",
      "kms:GenerateRandom", "kms:Get*", "kms:List*", "kms:TagResource",
      "kms:UntagResource", "iam:ListGroups", "iam:ListRoles", "iam:ListUsers"
    ],
    "Resource": "*"
  }]
}`,
}

// ManagedPolicy returns the document of a managed policy Trent knows.
func ManagedPolicy(arn string) (string, bool) {
	doc, ok := managed[arn]
	return doc, ok
}

// ManagedPolicyARNs lists the managed policies Trent knows.
func ManagedPolicyARNs() []string {
	out := make([]string, 0, len(managed))
	for arn := range managed {
		out = append(out, arn)
	}
	return out
}
