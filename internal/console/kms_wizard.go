package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// createKeyStart is the wizard's first step.
func (c *Console) createKeyStart(w http.ResponseWriter, r *http.Request, ss *session) {
	c.renderKeyWizard(w, r, ss, readKeyWizard(url.Values{}), 1, nil)
}

// createKeyStep moves the wizard: the form's nav says where to ("next",
// "back", "finish", or "add" to show the step again with one more empty
// tag or account row), its step which step it came from.
func (c *Console) createKeyStep(w http.ResponseWriter, r *http.Request, ss *session) {
	wz := readKeyWizard(r.PostForm)
	step, _ := strconv.Atoi(r.PostFormValue("step"))
	step = min(max(step, 1), len(keyWizardSteps))
	switch r.PostFormValue("nav") {
	case "back":
		c.renderKeyWizard(w, r, ss, wz, max(step-1, 1), nil)
	case "next":
		if err := wz.check(step); err != nil {
			c.renderKeyWizard(w, r, ss, wz, step, err)
			return
		}
		c.renderKeyWizard(w, r, ss, wz, min(step+1, len(keyWizardSteps)), nil)
	case "finish":
		c.createKey(w, r, ss, wz)
	default:
		c.renderKeyWizard(w, r, ss, wz, step, nil)
	}
}

// createKey is Finish: every step checked again (the hidden fields are
// the browser's to change), then CreateKey with the reviewed policy and
// CreateAlias. A key of External origin goes on to the download of its
// wrapping public key and import token, as in the AWS console.
func (c *Console) createKey(w http.ResponseWriter, r *http.Request, ss *session, wz *keyWizard) {
	for s := 1; s < len(keyWizardSteps); s++ {
		if err := wz.check(s); err != nil {
			c.renderKeyWizard(w, r, ss, wz, s, err)
			return
		}
	}
	if wz.Policy == "" {
		wz.Policy = wz.keyPolicy(c.cfg.AccountID)
	}
	in := map[string]any{"KeySpec": wz.Spec, "KeyUsage": wz.Usage, "Origin": wz.Origin, "Policy": wz.Policy,
		"MultiRegion": wz.MultiRegion}
	if wz.Description != "" {
		in["Description"] = wz.Description
	}
	if len(wz.Tags) > 0 {
		tags := make([]map[string]string, 0, len(wz.Tags))
		for _, t := range wz.Tags {
			tags = append(tags, map[string]string{"TagKey": t[0], "TagValue": t[1]})
		}
		in["Tags"] = tags
	}
	var out struct{ KeyMetadata keyMeta }
	if err := c.kms(r, ss, "CreateKey", in, &out); err != nil {
		c.renderKeyWizard(w, r, ss, wz, len(keyWizardSteps), err)
		return
	}
	id := out.KeyMetadata.KeyId
	if err := c.kms(r, ss, "CreateAlias", map[string]any{"AliasName": "alias/" + wz.Alias, "TargetKeyId": id}, nil); err != nil {
		// The key exists: show it, with why it has no alias.
		c.showKey(w, r, ss, id, "aliases", "", err)
		return
	}
	if wz.Origin == "EXTERNAL" {
		redirect(w, keyPath(id, "")+"/import")
		return
	}
	redirect(w, keyPath(id, "")+"?done=created")
}

// renderKeyWizard shows step of the wizard, carrying the other steps'
// values in hidden fields.
func (c *Console) renderKeyWizard(w http.ResponseWriter, r *http.Request, ss *session, wz *keyWizard, step int, err error) {
	wz.Step, wz.Steps, wz.Specs, wz.AccountID = step, keyWizardSteps, keySpecChoices, c.cfg.AccountID
	fields := wz.fields()
	for s := 1; s <= len(keyWizardSteps); s++ {
		if s != step {
			wz.Hidden = append(wz.Hidden, fields[s]...)
		}
	}
	switch step {
	case 3, 4:
		var out struct {
			Users []struct{ UserName, Arn string } `xml:"Users>member"`
		}
		if err := c.iam(r, ss, "ListUsers", url.Values{"MaxItems": {"1000"}}, &out); err != nil {
			wz.UsersErr = c.errorOf(r, err).Message
		}
		for _, u := range out.Users {
			wz.UserARNs = append(wz.UserARNs, keyUserChoice{u.UserName, u.Arn})
		}
	case 5:
		if wz.Policy == "" {
			wz.Policy = wz.keyPolicy(c.cfg.AccountID)
		}
	}
	v := &view{Title: "Create key — " + keyWizardSteps[step-1], Nav: "kms", Data: wz}
	if err != nil {
		v.Error = c.errorOf(r, err)
	}
	c.render(w, r, http.StatusOK, "kms_create", v)
}

// IsAdmin reports whether arn was chosen as a key administrator.
func (wz *keyWizard) IsAdmin(arn string) bool { return slices.Contains(wz.Admins, arn) }

// IsUser reports whether arn was chosen as a key user.
func (wz *keyWizard) IsUser(arn string) bool { return slices.Contains(wz.Users, arn) }

// StepNumber is i+1, for the step list.
func (wz *keyWizard) StepNumber(i int) int { return i + 1 }

// keyChoices are the users steps 3 and 4 offer, as checkboxes named
// Field.
type keyChoices struct {
	Field string
	Err   string
	Rows  []keyChoiceRow
}

type keyChoiceRow struct {
	Name, ARN string
	Checked   bool
}

// Choices are the users as checkboxes named field ("admin" or "user").
func (wz *keyWizard) Choices(field string) keyChoices {
	ch := keyChoices{Field: field, Err: wz.UsersErr}
	for _, u := range wz.UserARNs {
		on := wz.IsAdmin(u.ARN)
		if field == "user" {
			on = wz.IsUser(u.ARN)
		}
		ch.Rows = append(ch.Rows, keyChoiceRow{u.Name, u.ARN, on})
	}
	return ch
}
