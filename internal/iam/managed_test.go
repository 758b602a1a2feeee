package iam

import "testing"

func TestManagedPolicies(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::aws:policy/AdministratorAccess":              "AdministratorAccess",
		"arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser": "AWSKeyManagementServicePowerUser",
	} {
		path, name, ok := managedName(arn)
		if !ok || path != "/" || name != want || parsedManaged()[arn] == nil {
			t.Errorf("managedName(%s) = %q, %q, %v", arn, path, name, ok)
		}
	}
	if _, _, ok := managedName("arn:aws:iam::aws:policy/ReadOnlyAccess"); ok {
		t.Error("ReadOnlyAccess is not shipped")
	}
	for arn, ok := range map[string]bool{
		"arn:aws:iam::aws:policy/AdministratorAccess": true, "arn:aws:iam::111122223333:policy/x": true,
		"AdministratorAccess": false, "arn:aws:iam::aws": false, "arn::iam::aws:policy/x": false,
	} {
		if validARN(arn) != ok {
			t.Errorf("validARN(%q) = %v", arn, !ok)
		}
	}
}
