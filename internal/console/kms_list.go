package console

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// keysPerPage is the key list's page: the paging unit of ListKeys, and
// the number of DescribeKey and ListAliases calls a page costs.
const keysPerPage = 25

// keyListTrail bounds the markers of the pages before this one that the
// Previous link carries (40 pages back); past that, Previous goes to the
// first page.
const keyListTrail = 40

// keyRow is one row of the key list.
type keyRow struct {
	KeyID string
	Meta  *keyMeta // nil when DescribeKey was refused
	Alias string   // the first alias, if any
	Error string   // why Meta is nil
}

// keyListData is the key list page.
type keyListData struct {
	Rows        []keyRow
	Filter      string
	TotalOnPage int // rows before the filter
	NextURL     string
	PrevURL     string
}

// keyList is the customer managed keys list, keysPerPage a page. A page
// costs one ListKeys call and, for each key shown, one DescribeKey and one
// ListAliases filtered by its key ID: a fixed cost whatever the number of
// keys and aliases in the account (a single unfiltered ListAliases would
// have to page through every alias of the account to find those of 25
// keys). The calls for the keys run four at a time. The filter box
// narrows the shown page by a case-insensitive substring of the alias or
// key ID; it does not search other pages.
func (c *Console) keyList(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	marker, filter := q.Get("marker"), strings.TrimSpace(q.Get("q"))
	var trail []string
	if t := q.Get("trail"); t != "" {
		trail = strings.Split(t, "~")
	}
	d := &keyListData{Filter: filter}
	v := &view{Title: "Customer managed keys", Nav: "kms", Data: d}
	in := map[string]any{"Limit": keysPerPage}
	if marker != "" {
		in["Marker"] = marker
	}
	var out struct {
		Keys       []struct{ KeyId string }
		NextMarker string
		Truncated  bool
	}
	if err := c.kms(r, ss, "ListKeys", in, &out); err != nil {
		c.failed(w, r, "kms_keys", v, err)
		return
	}
	d.Rows = make([]keyRow, len(out.Keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, k := range out.Keys {
		d.Rows[i].KeyID = k.KeyId
		wg.Add(1)
		go func(row *keyRow) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c.fillRow(r, ss, row)
		}(&d.Rows[i])
	}
	wg.Wait()
	d.TotalOnPage = len(d.Rows)
	if filter != "" {
		d.Rows = filterKeyRows(d.Rows, filter)
	}
	if out.Truncated && out.NextMarker != "" {
		next := append(append([]string(nil), trail...), marker)
		if len(next) > keyListTrail {
			next = nil // Previous from far down goes back to the first page
		}
		d.NextURL = keyListURL(out.NextMarker, next, filter)
	}
	if marker != "" {
		prev, rest := "", []string(nil)
		if len(trail) > 0 {
			prev, rest = trail[len(trail)-1], trail[:len(trail)-1]
		}
		d.PrevURL = keyListURL(prev, rest, filter)
	}
	c.render(w, r, http.StatusOK, "kms_keys", v)
}

// fillRow describes row's key and finds its first alias.
func (c *Console) fillRow(r *http.Request, ss *session, row *keyRow) {
	meta, err := c.describeKey(r, ss, row.KeyID)
	if err != nil {
		row.Error = c.errorOf(r, err).Code
		return
	}
	row.Meta = meta
	if as, err := c.keyAliases(r, ss, row.KeyID); err == nil && len(as) > 0 {
		row.Alias = as[0].AliasName
	}
}

func filterKeyRows(rows []keyRow, filter string) []keyRow {
	f := strings.ToLower(filter)
	var out []keyRow
	for _, row := range rows {
		if strings.Contains(strings.ToLower(row.KeyID), f) || strings.Contains(strings.ToLower(row.Alias), f) {
			out = append(out, row)
		}
	}
	return out
}

// keyListURL is the key list at marker, with the markers of the pages
// before it (empty strings for the first page) and the filter.
func keyListURL(marker string, trail []string, filter string) string {
	q := url.Values{}
	if marker != "" {
		q.Set("marker", marker)
	}
	if len(trail) > 0 && !(len(trail) == 1 && trail[0] == "") {
		q.Set("trail", strings.Join(trail, "~"))
	}
	if filter != "" {
		q.Set("q", filter)
	}
	if len(q) == 0 {
		return Prefix + "kms/keys"
	}
	return Prefix + "kms/keys?" + q.Encode()
}
