package api

import (
	"net/http"
	"time"
)

type noticeView struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	Vars      map[string]string `json:"vars"`
	CreatedAt time.Time         `json:"created_at"`
	Read      bool              `json:"read"`
}

// myNotices lists the caller's notices, newest first, with the unread
// count of the page.
func (s *Server) myNotices(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := s.store.Notices(r.Context(), c.account.ID, p)
	if err != nil {
		return err
	}
	out := make([]noticeView, len(list))
	unread := 0
	for i, n := range list {
		out[i] = noticeView{ID: n.ID, Kind: n.Kind, Vars: n.Vars, CreatedAt: n.CreatedAt, Read: !n.ReadAt.IsZero()}
		if n.ReadAt.IsZero() {
			unread++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": out, "unread": unread})
	return nil
}

// readNotices marks every notice of the caller read.
func (s *Server) readNotices(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.store.MarkNoticesRead(r.Context(), c.account.ID, s.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
