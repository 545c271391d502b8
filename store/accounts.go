package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

const accountCols = `a.id, a.email, a.display_name, a.password_hash, a.roles, a.language,
	a.avatar_type, a.disabled_at, a.created_at, a.updated_at, a.email_verified_at, a.trusted_at,
	COALESCE((SELECT b.bounced_at FROM mail_bounces b WHERE b.addr = a.email), 0),
	COALESCE((SELECT b.reason FROM mail_bounces b WHERE b.addr = a.email), ''), a.bio`

// accountRow scans accountCols.
type accountRow struct {
	a                classroom.Account
	roles            string
	disabled         int64
	created, updated int64
	verified         int64
	trusted          int64
	bounced          int64
}

func (r *accountRow) dest() []any {
	return []any{&r.a.ID, &r.a.Email, &r.a.DisplayName, &r.a.PasswordHash, &r.roles,
		&r.a.Language, &r.a.AvatarType, &r.disabled, &r.created, &r.updated, &r.verified, &r.trusted,
		&r.bounced, &r.a.EmailBounce, &r.a.Bio}
}

func (r *accountRow) account() (classroom.Account, error) {
	roles, err := classroom.ParseRoles(r.roles)
	if err != nil {
		return classroom.Account{}, err
	}
	r.a.Roles = roles
	r.a.CreatedAt, r.a.UpdatedAt = fromMS(r.created), fromMS(r.updated)
	r.a.EmailVerifiedAt, r.a.TrustedAt, r.a.EmailBouncedAt = fromMS(r.verified), fromMS(r.trusted), fromMS(r.bounced)
	if r.disabled != 0 {
		r.a.DisabledAt = fromMS(r.disabled)
	}
	return r.a, nil
}

// CreateAccount implements classroom.Accounts.
func (s *Store) CreateAccount(ctx context.Context, a classroom.Account) error {
	_, err := s.db.exec(ctx, `INSERT INTO accounts (id, email, display_name, password_hash, roles,
		language, avatar_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Email, a.DisplayName, a.PasswordHash, a.Roles.String(), a.Language, a.AvatarType,
		ms(a.CreatedAt), ms(a.UpdatedAt))
	return s.mapErr(err, classroom.ErrEmailTaken)
}

// Account implements classroom.Accounts.
func (s *Store) Account(ctx context.Context, id string) (classroom.Account, error) {
	return s.accountWhere(ctx, "a.id = ?", id)
}

// AccountByEmail implements classroom.Accounts.
func (s *Store) AccountByEmail(ctx context.Context, email string) (classroom.Account, error) {
	return s.accountWhere(ctx, "a.email = ?", email)
}

func (s *Store) accountWhere(ctx context.Context, where string, arg any) (classroom.Account, error) {
	var r accountRow
	err := s.db.queryRow(ctx, "SELECT "+accountCols+" FROM accounts a WHERE "+where, r.dest(), arg)
	if err != nil {
		return classroom.Account{}, s.mapErr(err, nil)
	}
	return r.account()
}

// UpdateAccount implements classroom.Accounts.
func (s *Store) UpdateAccount(ctx context.Context, a classroom.Account) error {
	// disabled_at is written only by SetDisabled, with its audit entry.
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE accounts SET display_name = ?, language = ?, roles = ?, bio = ?,
			updated_at = ? WHERE id = ?`,
			a.DisplayName, a.Language, a.Roles.String(), a.Bio, ms(a.UpdatedAt), a.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		return indexTeacherCourses(ctx, q, a.ID) // the teacher's name is in the documents
	}), nil)
}

// ListAccounts implements classroom.Accounts.
func (s *Store) ListAccounts(ctx context.Context, p classroom.Page) ([]classroom.Account, error) {
	limit, offset := pageArgs(p)
	rs, err := s.db.query(ctx, "SELECT "+accountCols+
		" FROM accounts a ORDER BY a.created_at, a.id LIMIT ? OFFSET ?", limit, offset)
	out, err := scanAccounts(rs, err)
	return out, s.mapErr(err, nil)
}

// scanAccounts reads rows of accountCols.
func scanAccounts(rs rows, err error) ([]classroom.Account, error) {
	var out []classroom.Account
	err = scanAll(rs, err, func(rs rows) error {
		var r accountRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		a, err := r.account()
		out = append(out, a)
		return err
	})
	return out, err
}

// SetPassword implements classroom.Accounts.
func (s *Store) SetPassword(ctx context.Context, accountID, hash, keepSession string, now time.Time) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?",
			hash, ms(now), accountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		if _, err := q.exec(ctx, "DELETE FROM sessions WHERE account_id = ? AND id <> ?",
			accountID, keepSession); err != nil {
			return err
		}
		_, err = q.exec(ctx, "DELETE FROM password_resets WHERE account_id = ? AND used_at = 0", accountID)
		return err
	}), nil)
}

// SetAvatar implements classroom.Accounts.
func (s *Store) SetAvatar(ctx context.Context, accountID string, img classroom.Image) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE accounts SET avatar_type = ?, updated_at = ? WHERE id = ?",
			img.ContentType, ms(img.UpdatedAt), accountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		return putImage(ctx, q, "avatars", "account_id", accountID, img)
	}), nil)
}

// Avatar implements classroom.Accounts.
func (s *Store) Avatar(ctx context.Context, accountID string) (classroom.Image, error) {
	img, err := getImage(ctx, s.db, "avatars", "account_id", accountID)
	return img, s.mapErr(err, nil)
}

// pageArgs applies Page's defaults and cap.
func pageArgs(p classroom.Page) (limit, offset int) {
	limit, offset = p.Limit, p.Offset
	if limit <= 0 {
		limit = 50
	}
	if limit > 200 {
		limit = 200
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}
