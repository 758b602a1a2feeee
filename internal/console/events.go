package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/audit"
)

// EventFilter selects audit records for the event history page. Zero
// fields match everything.
type EventFilter struct {
	UserName  string // the user name or ARN; "root" is the account root
	EventName string // exact, case-insensitive
	KeyID     string // a key ID or ARN among the record's resources
	From, To  time.Time
	EventID   string // one record
}

// Match reports whether rec passes f (From inclusive, To exclusive).
func (f *EventFilter) Match(rec *audit.Record) bool {
	id := rec.UserIdentity
	switch {
	case f.EventID != "" && rec.EventID != f.EventID:
		return false
	case f.EventName != "" && !strings.EqualFold(rec.EventName, f.EventName):
		return false
	case f.UserName != "" && id.UserName != f.UserName && id.ARN != f.UserName &&
		!(strings.EqualFold(f.UserName, "root") && id.Type == "Root"):
		return false
	case !f.From.IsZero() && rec.EventTime.Before(f.From):
		return false
	case !f.To.IsZero() && !rec.EventTime.Before(f.To):
		return false
	}
	if f.KeyID == "" {
		return true
	}
	for _, res := range rec.Resources {
		if res.ARN == f.KeyID || strings.HasSuffix(res.ARN, ":key/"+f.KeyID) {
			return true
		}
	}
	return false
}

// AuditFile is an AuditReader over the audit log file at path: this
// node's trail (in a cluster, each node records the requests it served).
// It reads the file backwards from its end, at most
// audit.DefaultMaxScan bytes a query.
type AuditFile string

// Events implements AuditReader.
func (a AuditFile) Events(ctx context.Context, f EventFilter, limit int) ([]*audit.Record, error) {
	res, err := audit.ReadNewest(string(a), audit.Query{Match: f.Match, Limit: limit, Since: f.From})
	return res.Records, err
}

// eventsPerPage is the event history's page.
const eventsPerPage = 50

// registerAudit registers the event history pages.
func (c *Console) registerAudit(m *http.ServeMux) {
	m.HandleFunc("GET "+Prefix+"audit", c.authed(c.eventHistory))
	m.HandleFunc("GET "+Prefix+"audit/{eventID}", c.authed(c.eventRecord))
}

// eventsData is the event history page.
type eventsData struct {
	User, Event, Key, From, To string // the filter, as typed
	Events                     []*audit.Record
	OlderURL                   string
	Unavailable                bool
}

// timeLayout is how datetime-local inputs send times (read as UTC).
const timeLayout = "2006-01-02T15:04"

// eventHistory lists the audit trail newest first, filtered, 50 a page;
// "Older events" continues before the oldest event shown.
func (c *Console) eventHistory(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	d := &eventsData{User: strings.TrimSpace(q.Get("user")), Event: strings.TrimSpace(q.Get("event")),
		Key: strings.TrimSpace(q.Get("key")), From: q.Get("from"), To: q.Get("to")}
	v := &view{Title: "Event history", Nav: "audit", Data: d}
	if err := c.mayLookupEvents(r, ss); err != nil {
		c.failed(w, r, "audit_events", v, err)
		return
	}
	if c.cfg.Audit == nil {
		d.Unavailable = true
		c.render(w, r, http.StatusOK, "audit_events", v)
		return
	}
	f := EventFilter{UserName: d.User, EventName: d.Event, KeyID: d.Key}
	var err error
	if f.From, err = parseFormTime(d.From); err == nil {
		f.To, err = parseFormTime(d.To)
	}
	if err != nil {
		c.failed(w, r, "audit_events", v, invalid("Enter times as YYYY-MM-DDThh:mm (UTC)."))
		return
	}
	if b, berr := time.Parse(time.RFC3339Nano, q.Get("before")); berr == nil && (f.To.IsZero() || b.Before(f.To)) {
		f.To = b
	}
	if d.Events, err = c.cfg.Audit.Events(r.Context(), f, eventsPerPage); err != nil {
		c.failed(w, r, "audit_events", v, err)
		return
	}
	if len(d.Events) == eventsPerPage {
		older := url.Values{}
		for k, val := range map[string]string{"user": d.User, "event": d.Event, "key": d.Key, "from": d.From, "to": d.To} {
			if val != "" {
				older.Set(k, val)
			}
		}
		older.Set("before", d.Events[len(d.Events)-1].EventTime.UTC().Format(time.RFC3339Nano))
		d.OlderURL = Prefix + "audit?" + older.Encode()
	}
	c.render(w, r, http.StatusOK, "audit_events", v)
}

func parseFormTime(s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(timeLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// eventRecord shows one record as its JSON.
func (c *Console) eventRecord(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("eventID")
	v := &view{Title: "Event " + id, Nav: "audit"}
	if err := c.mayLookupEvents(r, ss); err != nil {
		c.failed(w, r, "audit_event", v, err)
		return
	}
	if c.cfg.Audit == nil {
		c.failed(w, r, "audit_event", v, invalid("The audit trail is not available to the console on this server."))
		return
	}
	recs, err := c.cfg.Audit.Events(r.Context(), EventFilter{EventID: id}, 1)
	if err != nil {
		c.failed(w, r, "audit_event", v, err)
		return
	}
	if len(recs) == 0 {
		c.render(w, r, http.StatusNotFound, "audit_event", &view{Title: "Event " + id, Nav: "audit",
			Error: &pageError{Code: "NotFound", Message: "No event with this ID in the part of the audit trail the console reads."}})
		return
	}
	b, _ := json.MarshalIndent(recs[0], "", "  ")
	v.Data = struct {
		Record *audit.Record
		JSON   string
	}{recs[0], string(b)}
	c.render(w, r, http.StatusOK, "audit_event", v)
}
