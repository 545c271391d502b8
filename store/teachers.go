package store

import (
	"context"

	"github.com/lectern/lectern/classroom"
)

const applicationCols = `t.account_id, a.display_name, a.email, t.message, t.status, t.reason,
	t.decided_by, t.created_at, t.decided_at`

const applicationFrom = ` FROM teacher_applications t JOIN accounts a ON a.id = t.account_id`

type applicationRow struct {
	a                classroom.TeacherApplication
	status           string
	created, decided int64
}

func (r *applicationRow) dest() []any {
	return []any{&r.a.AccountID, &r.a.DisplayName, &r.a.Email, &r.a.Message, &r.status, &r.a.Reason,
		&r.a.DecidedBy, &r.created, &r.decided}
}

func (r *applicationRow) application() classroom.TeacherApplication {
	r.a.Status = classroom.ApplicationStatus(r.status)
	r.a.CreatedAt, r.a.DecidedAt = fromMS(r.created), fromMS(r.decided)
	return r.a
}

// CreateTeacherApplication implements classroom.Publishing.
func (s *Store) CreateTeacherApplication(ctx context.Context, a classroom.TeacherApplication) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `INSERT INTO teacher_applications (account_id, message, status, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET message = excluded.message,
			status = excluded.status, reason = '', decided_by = '', created_at = excluded.created_at,
			decided_at = 0 WHERE teacher_applications.status = 'rejected'`,
			a.AccountID, a.Message, string(classroom.ApplicationPending), ms(a.CreatedAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrAlreadyApplied
		}
		return nil
	}), nil)
}

// TeacherApplication implements classroom.Publishing.
func (s *Store) TeacherApplication(ctx context.Context, accountID string) (classroom.TeacherApplication, error) {
	var r applicationRow
	if err := s.db.queryRow(ctx, "SELECT "+applicationCols+applicationFrom+" WHERE t.account_id = ?",
		r.dest(), accountID); err != nil {
		return classroom.TeacherApplication{}, s.mapErr(err, nil)
	}
	return r.application(), nil
}

// ListTeacherApplications implements classroom.Publishing.
func (s *Store) ListTeacherApplications(ctx context.Context, status classroom.ApplicationStatus,
	p classroom.Page) ([]classroom.TeacherApplication, error) {
	limit, offset := pageArgs(p)
	q := "SELECT " + applicationCols + applicationFrom
	args := []any{}
	if status != "" {
		q += " WHERE t.status = ?"
		args = append(args, string(status))
	}
	q += " ORDER BY t.created_at, t.account_id LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	var out []classroom.TeacherApplication
	rs, err := s.db.query(ctx, q, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var r applicationRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.application())
		return nil
	})
	return out, s.mapErr(err, nil)
}

// DecideTeacherApplication implements classroom.Publishing.
func (s *Store) DecideTeacherApplication(ctx context.Context, a classroom.TeacherApplication, e classroom.AuditEntry,
	notices ...classroom.Notice) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE teacher_applications SET status = ?, reason = ?, decided_by = ?,
			decided_at = ? WHERE account_id = ? AND status = 'pending'`,
			string(a.Status), a.Reason, a.DecidedBy, ms(a.DecidedAt), a.AccountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrConflict
		}
		if a.Status == classroom.ApplicationApproved {
			var roles string
			if err := q.queryRow(ctx, "SELECT roles FROM accounts WHERE id = ?", []any{&roles}, a.AccountID); err != nil {
				return err
			}
			rs, err := classroom.ParseRoles(roles)
			if err != nil {
				return err
			}
			if _, err := q.exec(ctx, "UPDATE accounts SET roles = ?, updated_at = ? WHERE id = ?",
				rs.With(classroom.RoleTeacher).String(), ms(a.DecidedAt), a.AccountID); err != nil {
				return err
			}
		}
		if err := insertNotices(ctx, q, notices); err != nil {
			return err
		}
		return appendAudit(ctx, q, e)
	}), nil)
}
