package iamapi

// Constants of the two protocols.
const (
	globalRegion = "us-east-1" // where IAM lives, and STS's global endpoint
	iamVersion   = "2010-05-08"
	stsVersion   = "2011-06-15"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

func versionOf(service string) string {
	if service == "sts" {
		return stsVersion
	}
	return iamVersion
}

func namespace(service string) string {
	if service == "sts" {
		return stsNamespace
	}
	return iamNamespace
}
