package console

import (
	"net/http"
)

// keyTabs are the key detail page's tabs, as the AWS console names them.
var keyTabs = [][2]string{{"general", "General configuration"}, {"policy", "Key policy"},
	{"crypto", "Cryptographic configuration"}, {"tags", "Tags"}, {"material", "Key material and rotations"},
	{"aliases", "Aliases"}}

// keyTab is one tab link.
type keyTab struct {
	ID, Label, URL string
	Current        bool
}

// keyPage is the key detail page.
type keyPage struct {
	Meta *keyMeta
	Tab  string
	Tabs []keyTab
	CSRF string // for the shared actions partial

	Aliases []kmsAlias
	// Policy is the key policy, or, when PolicyEdit, the text in the
	// editor (the draft a refused PutKeyPolicy was sent).
	Policy     string
	PolicyEdit bool
	Tags       []struct{ TagKey, TagValue string }
	Rotations  []struct {
		KeyMaterialId string
		RotationDate  float64
		RotationType  string
	}
	RotationEnabled bool
	RotationKnown   bool
	// SectionErr is why the tab's own data could not be read (the key
	// itself could).
	SectionErr *pageError
}

// keyFlashes are the messages an action's redirect (?done=) shows.
var keyFlashes = map[string]string{
	"created":  "The KMS key was created.",
	"enabled":  "The key is enabled.",
	"disabled": "The key is disabled.",
	"schedule": "The key is scheduled for deletion.",
	"cancel":   "Key deletion was cancelled. The key is disabled; enable it to use it again.",
	"policy":   "The key policy was saved.",
	"tagged":   "The tag was saved.",
	"untagged": "The tag was removed.",
	"alias":    "The alias was created.",
	"unalias":  "The alias was deleted.",
	"imported": "The key material was imported.",
}

// keyDetail is GET kms/keys/{id}?tab=...
func (c *Console) keyDetail(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	c.showKey(w, r, ss, r.PathValue("id"), q.Get("tab"), keyFlashes[q.Get("done")], nil)
}

// showKey renders the key id's page at tab with flash or err shown.
func (c *Console) showKey(w http.ResponseWriter, r *http.Request, ss *session, id, tab, flash string, err error) {
	c.showKeyDraft(w, r, ss, id, tab, flash, err, "")
}

// showKeyDraft is showKey with a key policy draft to show in the editor.
func (c *Console) showKeyDraft(w http.ResponseWriter, r *http.Request, ss *session, id, tab, flash string, err error, draft string) {
	meta, derr := c.describeKey(r, ss, id)
	if derr != nil {
		if err != nil {
			derr = err // the action's refusal says more than the page's
		}
		c.failed(w, r, "error", &view{Title: "Key " + id, Nav: "kms"}, derr)
		return
	}
	p := &keyPage{Meta: meta, Tab: tab, CSRF: ss.csrf}
	known := false
	for _, t := range keyTabs {
		known = known || t[0] == tab
	}
	if !known {
		p.Tab = "general"
	}
	for _, t := range keyTabs {
		p.Tabs = append(p.Tabs, keyTab{t[0], t[1], keyPath(meta.KeyId, t[0]), t[0] == p.Tab})
	}
	c.loadTab(r, ss, p, draft)
	v := &view{Title: "Key " + meta.KeyId, Nav: "kms", Data: p, Flash: flash}
	if err != nil {
		v.Error = c.errorOf(r, err)
		v.Flash = ""
	}
	c.render(w, r, http.StatusOK, "kms_key", v)
}

// loadTab reads what p's tab shows beyond DescribeKey.
func (c *Console) loadTab(r *http.Request, ss *session, p *keyPage, draft string) {
	id := p.Meta.KeyId
	var err error
	switch p.Tab {
	case "general", "aliases":
		p.Aliases, err = c.keyAliases(r, ss, id)
	case "policy":
		p.PolicyEdit = draft != "" || r.URL.Query().Get("edit") == "1"
		if draft != "" {
			p.Policy = draft
			break
		}
		var out struct{ Policy string }
		err = c.kms(r, ss, "GetKeyPolicy", map[string]any{"KeyId": id, "PolicyName": "default"}, &out)
		p.Policy = out.Policy
	case "tags":
		var out struct {
			Tags []struct{ TagKey, TagValue string }
		}
		err = c.kms(r, ss, "ListResourceTags", map[string]any{"KeyId": id}, &out)
		p.Tags = out.Tags
	case "material":
		if p.Meta.KeySpec != "SYMMETRIC_DEFAULT" || p.Meta.KeyState == "PendingImport" {
			return
		}
		var st struct{ KeyRotationEnabled bool }
		if c.kms(r, ss, "GetKeyRotationStatus", map[string]any{"KeyId": id}, &st) == nil {
			p.RotationEnabled, p.RotationKnown = st.KeyRotationEnabled, true
		}
		var out struct {
			Rotations []struct {
				KeyMaterialId string
				RotationDate  float64
				RotationType  string
			}
		}
		err = c.kms(r, ss, "ListKeyRotations", map[string]any{"KeyId": id}, &out)
		p.Rotations = out.Rotations
	}
	if err != nil {
		p.SectionErr = c.errorOf(r, err)
	}
}

// Imported reports whether the key's material is imported.
func (p *keyPage) Imported() bool { return p.Meta.Origin == "EXTERNAL" }

// FirstAlias is the key's first alias, or "".
func (p *keyPage) FirstAlias() string {
	if len(p.Aliases) == 0 {
		return ""
	}
	return p.Aliases[0].AliasName
}
