package store

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// appendAudit inserts e inside the caller's transaction, so the audited
// change and its entry are committed together or not at all. An entry
// without an Action is not written (a change that is not audited).
func appendAudit(ctx context.Context, q querier, e classroom.AuditEntry) error {
	if e.Action == "" {
		return nil
	}
	if e.ID == "" {
		e.ID = uuid.NewString()
	}
	_, err := q.exec(ctx, `INSERT INTO audit_log (id, at, actor_id, actor_email, ip, action, target_type,
		target_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ms(e.At), e.ActorID, e.ActorEmail, e.IP, string(e.Action), e.TargetType, e.TargetID,
		e.Before, e.After)
	return err
}

// AppendAudit implements classroom.Publishing.
func (s *Store) AppendAudit(ctx context.Context, e classroom.AuditEntry) error {
	return s.mapErr(appendAudit(ctx, s.db, e), nil)
}

// ListAudit implements classroom.Publishing.
func (s *Store) ListAudit(ctx context.Context, aq classroom.AuditQuery) ([]classroom.AuditEntry, error) {
	limit, offset := pageArgs(aq.Page)
	var (
		where []string
		args  []any
	)
	if aq.Action != "" {
		where, args = append(where, "action = ?"), append(args, string(aq.Action))
	}
	if aq.ActorID != "" {
		where, args = append(where, "actor_id = ?"), append(args, aq.ActorID)
	}
	if aq.Target != "" {
		where, args = append(where, "target_id = ?"), append(args, aq.Target)
	}
	if aq.Text != "" {
		pat := "%" + likeEscape(lower(aq.Text)) + "%"
		where = append(where, `(LOWER(actor_email) LIKE ? ESCAPE '\' OR LOWER(target_id) LIKE ? ESCAPE '\'
			OR LOWER(before_json) LIKE ? ESCAPE '\' OR LOWER(after_json) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat, pat)
	}
	if !aq.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(aq.Since))
	}
	if !aq.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, ms(aq.Until))
	}
	q := `SELECT id, at, actor_id, actor_email, ip, action, target_type, target_id, before_json, after_json
		FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	var out []classroom.AuditEntry
	rs, err := s.db.query(ctx, q, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			e      classroom.AuditEntry
			at     int64
			action string
		)
		if err := rs.Scan(&e.ID, &at, &e.ActorID, &e.ActorEmail, &e.IP, &action, &e.TargetType, &e.TargetID,
			&e.Before, &e.After); err != nil {
			return err
		}
		e.At, e.Action = fromMS(at), classroom.AuditAction(action)
		out = append(out, e)
		return nil
	})
	return out, s.mapErr(err, nil)
}

// likeEscape escapes LIKE's wildcards and its escape character '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
