package console

import (
	"net/http"
	"strconv"
	"strings"
)

// keyAction is a POST to kms/keys/{id}/{action}: one API call, then back
// to the tab the action belongs to with its message; a refusal is shown
// in that tab as the API answered it, and changes nothing.
func (c *Console) keyAction(w http.ResponseWriter, r *http.Request, ss *session) {
	id, action := r.PathValue("id"), r.PathValue("action")
	f := r.PostForm
	key := map[string]any{"KeyId": id}
	var (
		op, tab, done string
		in            = key
		draft         string
	)
	switch action {
	case "enable":
		op, tab, done = "EnableKey", "general", "enabled"
	case "disable":
		op, tab, done = "DisableKey", "general", "disabled"
	case "cancel-deletion":
		op, tab, done = "CancelKeyDeletion", "general", "cancel"
	case "schedule-deletion":
		op, tab, done = "ScheduleKeyDeletion", "general", "schedule"
		days, err := strconv.Atoi(strings.TrimSpace(f.Get("days")))
		switch {
		case f.Get("confirm") != "delete":
			c.showKey(w, r, ss, id, tab, "", invalid(`To schedule the key for deletion, type "delete" to confirm.`))
			return
		case err != nil || days < 7 || days > 30:
			c.showKey(w, r, ss, id, tab, "", invalid("The waiting period is a whole number of days from 7 to 30."))
			return
		}
		in = map[string]any{"KeyId": id, "PendingWindowInDays": days}
	case "policy":
		op, tab, done = "PutKeyPolicy", "policy", "policy"
		draft = f.Get("policy")
		in = map[string]any{"KeyId": id, "PolicyName": "default", "Policy": draft}
	case "tag":
		op, tab, done = "TagResource", "tags", "tagged"
		in = map[string]any{"KeyId": id, "Tags": []map[string]string{{"TagKey": strings.TrimSpace(f.Get("tagkey")), "TagValue": f.Get("tagvalue")}}}
	case "untag":
		op, tab, done = "UntagResource", "tags", "untagged"
		in = map[string]any{"KeyId": id, "TagKeys": []string{f.Get("tagkey")}}
	case "alias":
		op, tab, done = "CreateAlias", "aliases", "alias"
		name := strings.TrimSpace(f.Get("alias"))
		if !strings.HasPrefix(name, "alias/") {
			name = "alias/" + name
		}
		in = map[string]any{"AliasName": name, "TargetKeyId": id}
	case "unalias":
		op, tab, done = "DeleteAlias", "aliases", "unalias"
		in = map[string]any{"AliasName": f.Get("alias")}
	default:
		c.notFound(w, r, ss)
		return
	}
	if err := c.kms(r, ss, op, in, nil); err != nil {
		c.showKeyDraft(w, r, ss, id, tab, "", err, draft)
		return
	}
	redirect(w, keyPath(id, tab)+"&done="+done)
}
