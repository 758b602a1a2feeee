package policy

// DeniedMessage returns the message of the AccessDeniedException AWS sends
// for r when Authorize returned res, or "" when res allows. The forms are
// IAM's, which KMS uses:
//
//	User: <principal ARN> is not authorized to perform: <action> on resource: <resource> because no resource-based policy allows the <action> action
//	User: <principal ARN> is not authorized to perform: <action> on resource: <resource> because no identity-based policy allows the <action> action
//	User: <principal ARN> is not authorized to perform: <action> on resource: <resource> with an explicit deny in a resource-based policy
//	User: <principal ARN> is not authorized to perform: <action> on resource: <resource> with an explicit deny in an identity-based policy
//
// The resource is the key ARN, or "*" for actions that involve no key.
func DeniedMessage(r *Request, res Result) string {
	var tail string
	switch {
	case res.Decision == Allow:
		return ""
	case res.Decision == ExplicitDeny && res.Type == IdentityBased:
		tail = " with an explicit deny in an identity-based policy"
	case res.Decision == ExplicitDeny:
		tail = " with an explicit deny in a resource-based policy"
	case res.Type == IdentityBased:
		tail = " because no identity-based policy allows the " + r.Action + " action"
	default:
		tail = " because no resource-based policy allows the " + r.Action + " action"
	}
	resource := r.Resource
	if resource == "" {
		resource = "*"
	}
	return "User: " + r.Principal.ARN + " is not authorized to perform: " + r.Action + " on resource: " + resource + tail
}

// Messages. Those AWS is known to send are marked (KMS) or (IAM); the rest
// follow their style. See the package documentation, "Messages".
const (
	msgTooLarge        = "Policy exceeds the maximum size of 32768 bytes."
	msgNoStatements    = "Policy contains no statements."
	msgEffect          = "Policy contains a statement with a missing or invalid Effect."
	msgBadConditionKey = "Policy contains a statement with an empty condition key."

	// (KMS)
	msgNoPrincipal       = "Policy contains a statement with no principal."
	msgInvalidPrincipals = "Policy contains a statement with one or more invalid principals."
	msgOverlyEC          = "OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues."
	// The same for aws:RequestTag/*, as the KMS guide outlines it.
	msgOverlyTag = "OverlyPermissiveCondition: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified tag or with an unspecified tag. To fix, remove ForAllValues."

	// (IAM)
	msgSyntax         = "Syntax errors in policy."
	msgPrincipalInIAM = "Policy document should not specify a principal."
	msgNoActions      = "Policy statement must contain actions."
	msgNoResources    = "Policy statement must contain resources."
	msgOneColon       = "Actions/Condition can contain only one colon."
	msgVendor         = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgSidUnique      = "Statement IDs (SID) in a single policy must be unique."
	msgSidAlnum       = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)

func msgUnknownElement(name string) string {
	return "Policy contains an unknown element: " + clip(name) + "."
}

func msgBoth(a, b string) string {
	return "Policy contains a statement with both " + a + " and " + b + "."
}

func msgBadType(element string) string {
	return "Policy contains an invalid value for " + element + "."
}

func msgBadVersion(v string) string {
	return "Policy contains an invalid Version: " + clip(v) + "."
}

func msgBadResource(v string) string {
	return "Resource " + clip(v) + " must be in ARN format or \"*\"." // (IAM)
}

func msgBadOperator(op string) string {
	return "Policy contains a statement with an invalid condition operator: " + clip(op) + "."
}

func msgBadConditionValue(op string) string {
	return "Policy contains a statement with an invalid value for condition operator " + clip(op) + "."
}

// clip bounds client text echoed in a message.
func clip(s string) string {
	const max = 128
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
