package billing

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/lectern/lectern/classroom"
)

// MaxBps is 100% in basis points.
const MaxBps = 10_000

// StatementStatus says whether a statement's money was paid out.
type StatementStatus string

// The statement statuses.
const (
	StatementOpen StatementStatus = "open" // computed from the ledger, may still change
	StatementPaid StatementStatus = "paid" // paid out by an admin; its figures are frozen
)

// Statement is what one teacher earned in one month and currency: Gross
// paid by students, Refunds given back, the platform's Commission on
// what is left (CommissionBps basis points, rounded half away from zero)
// and Net, owed to the teacher: Gross - Refunds - Commission. All in
// minor units.
type Statement struct {
	TeacherID     string
	Month         string // "2006-01", UTC
	Currency      string
	Orders        int // payments received
	Gross         int64
	Refunds       int64
	CommissionBps int
	Commission    int64
	Net           int64
	Status        StatementStatus
	PaidAt        time.Time
	PaidBy        string
	PaidRef       string // the admin's reference for the transfer
}

// Commission is bps basis points of amount, rounded half away from zero,
// in integers only.
func Commission(amount int64, bps int) int64 {
	p := amount * int64(bps) // |amount| ≤ 10^12 × 10^4: no overflow
	if p >= 0 {
		return (p + MaxBps/2) / MaxBps
	}
	return -((-p + MaxBps/2) / MaxBps)
}

// NewStatement computes an open statement from a month's revenue totals.
func NewStatement(teacherID string, t RevenueTotal, bps int) Statement {
	st := Statement{TeacherID: teacherID, Month: t.Month, Currency: t.Currency, Orders: t.Payments,
		Gross: t.Gross, Refunds: t.Refunds, CommissionBps: bps, Status: StatementOpen}
	st.Commission = Commission(st.Gross-st.Refunds, bps)
	st.Net = st.Gross - st.Refunds - st.Commission
	return st
}

// CommissionBps is the commission taken from teacherID: their override,
// or the platform's default.
func (s *Service) CommissionBps(ctx context.Context, teacherID string) (bps int, override bool, err error) {
	bps, err = s.store.CommissionOverride(ctx, teacherID)
	if errors.Is(err, classroom.ErrNotFound) {
		return s.commission, false, nil
	}
	return bps, err == nil, err
}

// SetCommission sets (or, with nil, removes) a teacher's commission
// override; admins only.
func (s *Service) SetCommission(ctx context.Context, actor classroom.Account, teacherID string, bps *int) error {
	if !isAdmin(actor) {
		return classroom.ErrForbidden
	}
	if bps != nil && (*bps < 0 || *bps > MaxBps) {
		return Invalid("bps", "must be between 0 and 10000 basis points")
	}
	if _, err := s.store.Account(ctx, teacherID); err != nil {
		return err
	}
	return s.tx(ctx, func(tx Tx) error { return tx.PutCommissionOverride(ctx, teacherID, bps, s.clock()) })
}

// Statements lists a teacher's monthly statements between two months
// (inclusive, "" for no bound), oldest first: paid ones as frozen,
// others computed now from the ledger. The teacher or an admin may.
func (s *Service) Statements(ctx context.Context, actor classroom.Account, teacherID, from, to string) ([]Statement, error) {
	if teacherID != actor.ID && !isAdmin(actor) {
		return nil, classroom.ErrForbidden
	}
	if err := checkMonths(from, to); err != nil {
		return nil, err
	}
	return s.statements(ctx, teacherID, from, to)
}

func (s *Service) statements(ctx context.Context, teacherID, from, to string) ([]Statement, error) {
	rows, err := s.store.Revenue(ctx, RevenueQuery{TeacherID: teacherID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	bps, _, err := s.CommissionBps(ctx, teacherID)
	if err != nil {
		return nil, err
	}
	paid, err := s.store.PaidStatements(ctx, teacherID, from, to)
	if err != nil {
		return nil, err
	}
	byKey := map[string]Statement{}
	for _, p := range paid {
		byKey[p.Month+"/"+p.Currency] = p
	}
	var out []Statement
	for _, t := range Totals(rows) {
		k := t.Month + "/" + t.Currency
		if p, ok := byKey[k]; ok {
			out = append(out, p)
			delete(byKey, k)
			continue
		}
		out = append(out, NewStatement(teacherID, t, bps))
	}
	for _, p := range byKey {
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month < out[j].Month
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

// MarkStatementPaid records that a finished month's statement was paid
// out (admins only): its figures are frozen as they are now.
func (s *Service) MarkStatementPaid(ctx context.Context, actor classroom.Account, teacherID, month, currency, ref string) (Statement, error) {
	if !isAdmin(actor) {
		return Statement{}, classroom.ErrForbidden
	}
	if err := checkMonths(month, ""); err != nil || month == "" {
		return Statement{}, Invalid("month", "must be a month like 2030-05")
	}
	cur, err := CheckCurrency("currency", currency)
	if err != nil {
		return Statement{}, err
	}
	if err := checkRefundText("reference", ref); err != nil {
		return Statement{}, err
	}
	now := s.clock()
	if month >= Month(now) {
		return Statement{}, Invalid("month", "is not over yet")
	}
	list, err := s.statements(ctx, teacherID, month, month)
	if err != nil {
		return Statement{}, err
	}
	for _, st := range list {
		if st.Currency != cur {
			continue
		}
		if st.Status == StatementPaid {
			return st, ErrStatementPaid
		}
		st.Status, st.PaidAt, st.PaidBy, st.PaidRef = StatementPaid, now, actor.ID, ref
		err := s.tx(ctx, func(tx Tx) error { return tx.InsertPaidStatement(ctx, st) })
		if errors.Is(err, classroom.ErrConflict) {
			return st, ErrStatementPaid
		}
		return st, err
	}
	return Statement{}, classroom.ErrNotFound
}

// WriteStatementsCSV writes statements as CSV with a header, amounts in
// minor units and as decimals.
func WriteStatementsCSV(w io.Writer, list []Statement) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "currency", "orders", "gross_minor", "refunds_minor", "commission_bps",
		"commission_minor", "net_minor", "gross", "refunds", "commission", "net", "status", "paid_at", "paid_ref"})
	for _, st := range list {
		paidAt := ""
		if !st.PaidAt.IsZero() {
			paidAt = st.PaidAt.UTC().Format(time.RFC3339)
		}
		i := func(v int64) string { return strconv.FormatInt(v, 10) }
		cw.Write([]string{st.Month, st.Currency, strconv.Itoa(st.Orders), i(st.Gross), i(st.Refunds),
			strconv.Itoa(st.CommissionBps), i(st.Commission), i(st.Net), Decimal(st.Gross, st.Currency),
			Decimal(st.Refunds, st.Currency), Decimal(st.Commission, st.Currency), Decimal(st.Net, st.Currency),
			string(st.Status), paidAt, safeCell(st.PaidRef)})
	}
	cw.Flush()
	return cw.Error()
}
