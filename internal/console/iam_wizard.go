package console

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The Add user wizard, as AWS's: 1 user details (name, access types), 2
// permissions (managed policies, an inline policy), 3 review and create.
// Trent's IAM refuses user tags, so there is no Tags step. Each step posts
// the wizard's state in hidden fields; the password is never carried: it
// is typed on the review step, in the form whose POST creates the user,
// so it appears in no page the console renders.

// Wizard steps.
const (
	userStepDetails = 1 + iota
	userStepPermissions
	userStepReview
)

// userWizard is the Add user wizard's state.
type userWizard struct {
	Step          int
	UserName      string
	Programmatic  bool // "Access key - Programmatic access"
	ConsoleAccess bool // "Password - AWS Management Console access"
	ResetRequired bool // "User must create a new password at next sign-in"
	Policies      []string
	InlineName    string
	InlineDoc     string
	Managed       []managedOption // the permissions step's choices
}

// PolicyNames are the chosen managed policies' names, for the review.
func (wz *userWizard) PolicyNames() []string {
	var out []string
	for _, o := range managedOptions(wz.Policies) {
		if o.Checked {
			out = append(out, o.Name)
		}
	}
	return out
}

// readUserWizard reads the wizard's state from a POSTed step.
func readUserWizard(r *http.Request) *userWizard {
	wz := &userWizard{
		UserName:      strings.TrimSpace(r.PostFormValue("user")),
		Programmatic:  r.PostFormValue("programmatic") != "",
		ConsoleAccess: r.PostFormValue("console") != "",
		ResetRequired: r.PostFormValue("reset") != "",
		Policies:      r.PostForm["policy"],
		InlineName:    strings.TrimSpace(r.PostFormValue("inline-name")),
		InlineDoc:     strings.TrimSpace(r.PostFormValue("inline-doc")),
	}
	wz.Step, _ = strconv.Atoi(r.PostFormValue("step"))
	wz.Step = min(max(wz.Step, userStepDetails), userStepReview)
	return wz
}

// userNameRE is IAM's user name pattern and length.
var userNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// policyNameRE is IAM's inline policy name pattern and length.
var policyNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// check validates the step wz.Step before the wizard leaves it forward.
// The API checks again when the user is created; this only spares a trip
// to the review step with a form the API will refuse.
func (wz *userWizard) check() error {
	switch wz.Step {
	case userStepDetails:
		if !userNameRE.MatchString(wz.UserName) {
			return invalid("Enter a user name of 1 to 64 letters, digits and the characters +=,.@_-.")
		}
		if !wz.Programmatic && !wz.ConsoleAccess {
			return invalid("Select at least one AWS access type.")
		}
	case userStepPermissions:
		return checkInlinePolicy(wz.InlineName, wz.InlineDoc, true)
	}
	return nil
}

// checkInlinePolicy validates an inline policy's name and JSON document; both
// empty is no policy when optional.
func checkInlinePolicy(name, doc string, optional bool) error {
	if optional && name == "" && doc == "" {
		return nil
	}
	if !policyNameRE.MatchString(name) {
		return invalid("Enter a policy name of 1 to 128 letters, digits and the characters +=,.@_-.")
	}
	if !json.Valid([]byte(doc)) {
		return invalid("The policy document is not valid JSON.")
	}
	return nil
}

func (c *Console) addUserPage(w http.ResponseWriter, r *http.Request, ss *session) {
	c.renderUserWizard(w, r, &userWizard{Step: userStepDetails, Programmatic: true}, nil)
}

// addUserStep moves the wizard: go=next checks the step and shows the
// following one, go=back shows the previous one, go=create creates the
// user.
func (c *Console) addUserStep(w http.ResponseWriter, r *http.Request, ss *session) {
	wz := readUserWizard(r)
	switch r.PostFormValue("go") {
	case "back":
		wz.Step = max(wz.Step-1, userStepDetails)
	case "next":
		if err := wz.check(); err != nil {
			c.renderUserWizard(w, r, wz, err)
			return
		}
		wz.Step = min(wz.Step+1, userStepReview)
	case "create":
		c.createUser(w, r, ss, wz)
		return
	}
	c.renderUserWizard(w, r, wz, nil)
}

// renderUserWizard shows the wizard at wz.Step, with err if not nil.
func (c *Console) renderUserWizard(w http.ResponseWriter, r *http.Request, wz *userWizard, err error) {
	if wz.Step == userStepPermissions {
		wz.Managed = managedOptions(wz.Policies)
	}
	v := &view{Title: "Add user", Nav: "iam", Data: wz}
	if err != nil {
		c.failed(w, r, "iam_add_user", v, err)
		return
	}
	c.render(w, r, http.StatusOK, "iam_add_user", v)
}
