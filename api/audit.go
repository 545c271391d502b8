package api

import (
	"encoding/csv"
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
)

// audit builds the audit entry of an action the caller takes on r: who,
// what, when, from where, and the thing before and after (as JSON).
func (s *Server) audit(r *http.Request, c *caller, action classroom.AuditAction, targetType, targetID string,
	before, after any) classroom.AuditEntry {
	return classroom.NewAuditEntry(c.account, s.clientIP(r), s.now().UTC(), action, targetType, targetID, before, after)
}

type auditView struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorEmail string    `json:"actor_email"`
	IP         string    `json:"ip"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Before     string    `json:"before"`
	After      string    `json:"after"`
}

func viewAudit(e classroom.AuditEntry) auditView {
	return auditView{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorEmail: e.ActorEmail, IP: e.IP,
		Action: string(e.Action), TargetType: e.TargetType, TargetID: e.TargetID, Before: e.Before, After: e.After}
}

// auditQuery reads ?action, ?actor, ?target, ?q, ?since, ?until (RFC 3339)
// and the page.
func auditQuery(r *http.Request) (classroom.AuditQuery, error) {
	v := r.URL.Query()
	q := classroom.AuditQuery{Action: classroom.AuditAction(v.Get("action")), ActorID: v.Get("actor"),
		Target: v.Get("target"), Text: v.Get("q")}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := v.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, &Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: name,
					Message: name + " must be an RFC 3339 time"}
			}
			*dst = t
		}
	}
	var err error
	q.Page, err = pageOf(r)
	return q, err
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	q, err := auditQuery(r)
	if err != nil {
		return err
	}
	list, err := s.store.ListAudit(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]auditView, len(list))
	for i, e := range list {
		out[i] = viewAudit(e)
	}
	actions := make([]string, 0)
	for _, a := range classroom.AuditedActions() {
		actions = append(actions, string(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "actions": actions})
	return nil
}

// auditCSVMax bounds one export.
const auditCSVMax = 100_000

// adminAuditCSV exports the filtered log as CSV, newest first, every page.
func (s *Server) adminAuditCSV(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	q, err := auditQuery(r)
	if err != nil {
		return err
	}
	q.Page = classroom.Page{Limit: 200}
	var all []classroom.AuditEntry
	for len(all) < auditCSVMax {
		list, err := s.store.ListAudit(r.Context(), q)
		if err != nil {
			return err
		}
		all = append(all, list...)
		if len(list) < q.Limit {
			break
		}
		q.Offset += len(list)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="lectern-audit.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"at", "actor_id", "actor_email", "ip", "action", "target_type", "target_id", "before", "after"})
	for _, e := range all {
		_ = cw.Write([]string{e.At.UTC().Format(time.RFC3339Nano), e.ActorID, live.SafeCell(e.ActorEmail), e.IP,
			string(e.Action), e.TargetType, e.TargetID, live.SafeCell(e.Before), live.SafeCell(e.After)})
	}
	cw.Flush()
	return cw.Error()
}
