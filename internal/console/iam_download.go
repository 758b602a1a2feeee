package console

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/csv"
	"net/http"
	"sync"
	"time"
)

// A new access key's secret is shown once, in the page the creating POST
// answers; its "Download .csv" must not put the secret in a URL, a log, a
// second page or the browser's storage. So the file is built when the key
// is created and held in this node's memory, in a slot named by a random
// 256-bit ID that is bound to the session: the page's download form POSTs
// the slot ID (with the CSRF token), and the answer is the file, once —
// the slot is emptied by the download, and forgotten after iamSlotTTL anyway.
// Only the slot ID is in the page's form; it is useless to another
// session and after its first use.

// iamSlotTTL is how long an unused download slot lives.
const iamSlotTTL = 5 * time.Minute

// maxIAMSlots bounds the slots held; the oldest are dropped first.
const maxIAMSlots = 1000

// iamSlot is one file to download once.
type iamSlot struct {
	session [32]byte // SHA-256 of the session ID
	name    string   // the file name offered
	body    []byte
	expires time.Time
}

// credentialSlots holds a console's download slots.
type credentialSlots struct {
	mu sync.Mutex
	m  map[string]*iamSlot
}

func newCredentialSlots() *credentialSlots { return &credentialSlots{m: make(map[string]*iamSlot)} }

// put stores body for one download by sessionID and returns the slot ID.
func (s *credentialSlots) put(sessionID, name string, body []byte, now time.Time) string {
	id := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest string
	for k, v := range s.m {
		if now.After(v.expires) {
			s.drop(k)
		} else if oldest == "" || v.expires.Before(s.m[oldest].expires) {
			oldest = k
		}
	}
	if len(s.m) >= maxIAMSlots && oldest != "" {
		s.drop(oldest)
	}
	s.m[id] = &iamSlot{session: sha256.Sum256([]byte(sessionID)), name: name, body: body, expires: now.Add(iamSlotTTL)}
	return id
}

// take empties and returns the slot id if it is live and sessionID's.
func (s *credentialSlots) take(sessionID, id string, now time.Time) (name string, body []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.m[id]
	if sl == nil {
		return "", nil, false
	}
	sess := sha256.Sum256([]byte(sessionID))
	if subtle.ConstantTimeCompare(sess[:], sl.session[:]) != 1 {
		return "", nil, false
	}
	delete(s.m, id)
	if now.After(sl.expires) {
		clear(sl.body)
		return "", nil, false
	}
	return sl.name, sl.body, true
}

// drop forgets slot k, overwriting its secret; s.mu is held.
func (s *credentialSlots) drop(k string) {
	clear(s.m[k].body)
	delete(s.m, k)
}

// credentialsCSV is a CSV file of header and row, as AWS's downloads.
func iamCSV(header, row []string) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(header)
	cw.Write(row)
	cw.Flush()
	return b.Bytes()
}

// credentialsCSV answers the file of the POSTed slot, once.
func (c *Console) credentialsCSV(w http.ResponseWriter, r *http.Request, ss *session) {
	name, body, ok := c.slots.take(ss.id, r.PostFormValue("slot"), c.cfg.Now())
	if !ok {
		c.render(w, r, http.StatusGone, "error", &view{Title: "Download unavailable", Nav: "iam", Error: &pageError{
			Code: "DownloadUnavailable", Message: "This .csv file was already downloaded, or its 5 minutes have passed. " +
				"The secret access key cannot be shown again: create a new access key if it was lost."}})
		return
	}
	defer clear(body)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
