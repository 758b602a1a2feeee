package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// usersPage is the user list's data.
type usersPage struct {
	Query string    // the search: a part of the user name, any case
	Users []iamUser // the users of the page(s) read that match it
	// Next is the address of the following page ("" on the last):
	// the search and the ListUsers marker to resume at.
	Next string
}

const (
	// usersPerCall is the MaxItems of each ListUsers call.
	usersPerCall = 100
	// searchCalls bounds the ListUsers calls of one search: a search reads
	// up to this many pages and offers to continue after them.
	searchCalls = 10
)

// iamUsers is the user list (ListUsers): a page of users, or with ?q= the
// users whose name contains q among the next searchCalls pages.
func (c *Console) iamUsers(w http.ResponseWriter, r *http.Request, ss *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	marker := r.URL.Query().Get("marker")
	d := &usersPage{Query: q}
	v := &view{Title: "Users", Nav: "iam", Data: d, Flash: iamFlash(r)}
	calls := 1
	if q != "" {
		calls = searchCalls
	}
	for range calls {
		var out struct {
			Users       []iamUser `xml:"Users>member"`
			IsTruncated bool
			Marker      string
		}
		params := url.Values{"MaxItems": {strconv.Itoa(usersPerCall)}}
		if marker != "" {
			params.Set("Marker", marker)
		}
		if err := c.iam(r, ss, "ListUsers", params, &out); err != nil {
			c.failed(w, r, "iam_users", v, err)
			return
		}
		for _, u := range out.Users {
			if q == "" || strings.Contains(strings.ToLower(u.UserName), strings.ToLower(q)) {
				d.Users = append(d.Users, u)
			}
		}
		marker = ""
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	if marker != "" {
		next := url.Values{"marker": {marker}}
		if q != "" {
			next.Set("q", q)
		}
		d.Next = Prefix + "iam/users?" + next.Encode()
	}
	c.render(w, r, http.StatusOK, "iam_users", v)
}
