package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/trent-kms/trent/internal/login"
)

// userCreateStep is one API call of the Add user wizard's creation, as its
// result page lists it.
type userCreateStep struct {
	What   string // what the call does, as the page says it
	Action string // the IAM action
	Done   bool
	Err    *pageError // the API's refusal; nil and !Done: not attempted
}

// createdUser is the wizard's result page: what was created, and the new
// access key's secret, shown this once.
type createdUser struct {
	UserName      string
	Steps         []userCreateStep
	Failed        bool
	AccessKeyID   string
	Secret        string
	Download      string // the credentials.csv slot; "" if none
	ConsoleAccess bool
	SigninURL     string
}

// userWizardCall is one call of the creation.
type userWizardCall struct {
	step   userCreateStep
	params url.Values
	out    any
}

// createUser runs the wizard's calls in AWS's order — CreateUser, then
// AttachUserPolicy and PutUserPolicy, CreateLoginProfile, CreateAccessKey —
// stopping at the first refusal. A refusal of CreateUser leaves nothing
// created and the wizard on its review step; a later one is shown with
// the list of what was already created.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, ss *session, wz *userWizard) {
	password := r.PostFormValue("password")
	for _, step := range []int{userStepDetails, userStepPermissions} {
		wz.Step = step // the hidden fields may have been altered: check all
		if err := wz.check(); err != nil {
			c.renderUserWizard(w, r, wz, err)
			return
		}
	}
	wz.Step = userStepReview
	if wz.ConsoleAccess {
		if err := checkNewPassword(password, r.PostFormValue("password-confirm"), c.cfg.AccountID, wz.UserName); err != nil {
			c.renderUserWizard(w, r, wz, err)
			return
		}
	}
	var key struct {
		AccessKeyID string `xml:"AccessKey>AccessKeyId"`
		Secret      string `xml:"AccessKey>SecretAccessKey"`
	}
	calls := userWizardCalls(wz, password, &key)
	res := &createdUser{UserName: wz.UserName, ConsoleAccess: wz.ConsoleAccess, SigninURL: consoleSigninURL(r)}
	v := &view{Title: "Add user", Nav: "iam", Data: res}
	for i, call := range calls {
		err := c.iam(r, ss, call.step.Action, call.params, call.out)
		if err != nil && i == 0 {
			c.renderUserWizard(w, r, wz, err)
			return
		}
		if err != nil {
			call.step.Err = c.errorOf(r, err)
			res.Failed, v.Error, v.Title = true, call.step.Err, "User partly created"
		}
		call.step.Done = err == nil
		res.Steps = append(res.Steps, call.step)
		if err != nil {
			for _, rest := range calls[i+1:] {
				res.Steps = append(res.Steps, rest.step)
			}
			break
		}
	}
	if !res.Failed {
		res.AccessKeyID, res.Secret = key.AccessKeyID, key.Secret
		body := iamCSV([]string{"User name", "Password", "Access key ID", "Secret access key", "Console login link"},
			[]string{res.UserName, "", key.AccessKeyID, key.Secret, res.SigninURL})
		res.Download = c.slots.put(ss.id, "credentials.csv", body, c.cfg.Now())
	}
	c.render(w, r, http.StatusOK, "iam_user_created", v)
}

// userWizardCalls lists the calls that create wz's user, in order; the
// access key, if any, is decoded into key.
func userWizardCalls(wz *userWizard, password string, key any) []userWizardCall {
	user := url.Values{"UserName": {wz.UserName}}
	with := func(k, v string) url.Values { return url.Values{"UserName": {wz.UserName}, k: {v}} }
	calls := []userWizardCall{{step: userCreateStep{What: "Create user " + wz.UserName, Action: "CreateUser"}, params: user}}
	for _, arn := range wz.Policies {
		calls = append(calls, userWizardCall{step: userCreateStep{What: "Attach policy " + arn[strings.LastIndexByte(arn, '/')+1:],
			Action: "AttachUserPolicy"}, params: with("PolicyArn", arn)})
	}
	if wz.InlineName != "" {
		p := with("PolicyName", wz.InlineName)
		p.Set("PolicyDocument", wz.InlineDoc)
		calls = append(calls, userWizardCall{step: userCreateStep{What: "Add inline policy " + wz.InlineName, Action: "PutUserPolicy"}, params: p})
	}
	if wz.ConsoleAccess {
		p := with("Password", password)
		p.Set("PasswordResetRequired", strconv.FormatBool(wz.ResetRequired))
		calls = append(calls, userWizardCall{step: userCreateStep{What: "Create console password", Action: "CreateLoginProfile"}, params: p})
	}
	if wz.Programmatic {
		calls = append(calls, userWizardCall{step: userCreateStep{What: "Create access key", Action: "CreateAccessKey"}, params: user, out: key})
	}
	return calls
}

// checkNewPassword refuses a console password that does not match its
// confirmation or the account password policy, before anything is
// created (the API checks again). Trent's account password policy is
// always AWS's default.
func checkNewPassword(password, confirm, accountID, userName string) error {
	if password == "" {
		return invalid("Enter a console password.")
	}
	if password != confirm {
		return invalid("The passwords do not match.")
	}
	if err := login.DefaultPolicy.Check(password, accountID, userName); err != nil {
		return &pageError{Code: "PasswordPolicyViolation", Message: login.PolicyViolationMessage + " " + passwordRules}
	}
	return nil
}

// passwordRules states AWS's default password policy.
const passwordRules = "A password has 8 to 128 characters, of at least three kinds among upper case letters, lower case letters, digits and the symbols " + login.Symbols + ", and is neither the account ID nor the user name."
