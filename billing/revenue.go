package billing

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lectern/lectern/classroom"
)

// RevenueQuery selects revenue by teacher and/or course, between two
// months ("2006-01", inclusive; "" for no bound).
type RevenueQuery struct {
	TeacherID string
	CourseID  string
	From, To  string
}

// RevenueRow is one course's money in one month and currency, from the
// ledger: Gross is what was paid, Refunds what was given back that month.
type RevenueRow struct {
	Month       string
	CourseID    string
	CourseTitle string
	TeacherID   string
	Currency    string
	Payments    int // number of orders paid (a second payment of one order counts once)
	Gross       int64
	Refunds     int64
}

// Net is Gross less Refunds.
func (r RevenueRow) Net() int64 { return r.Gross - r.Refunds }

// RevenueTotal sums rows per month and currency (the teacher's view).
type RevenueTotal struct {
	Month    string
	Currency string
	Payments int
	Gross    int64
	Refunds  int64
}

// Totals sums rows by month and currency, in row order.
func Totals(rows []RevenueRow) []RevenueTotal {
	var out []RevenueTotal
	idx := map[string]int{}
	for _, r := range rows {
		k := r.Month + "/" + r.Currency
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, RevenueTotal{Month: r.Month, Currency: r.Currency})
		}
		out[i].Payments += r.Payments
		out[i].Gross += r.Gross
		out[i].Refunds += r.Refunds
	}
	return out
}

// WriteRevenueCSV writes rows as CSV with a header. Amounts are in minor
// units and, for people, as decimals. Text that a spreadsheet would run as
// a formula is prefixed with an apostrophe.
func WriteRevenueCSV(w io.Writer, rows []RevenueRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "course_id", "course_title", "currency", "payments",
		"gross_minor", "refunds_minor", "net_minor", "gross", "refunds", "net"})
	for _, r := range rows {
		cw.Write([]string{r.Month, r.CourseID, safeCell(r.CourseTitle), r.Currency,
			strconv.Itoa(r.Payments), strconv.FormatInt(r.Gross, 10),
			strconv.FormatInt(r.Refunds, 10), strconv.FormatInt(r.Net(), 10),
			Decimal(r.Gross, r.Currency), Decimal(r.Refunds, r.Currency), Decimal(r.Net(), r.Currency)})
	}
	cw.Flush()
	return cw.Error()
}

func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CourseRevenue is a course's revenue, for its teacher or an admin.
func (s *Service) CourseRevenue(ctx context.Context, actor classroom.Account, courseID, from, to string) ([]RevenueRow, error) {
	c, err := s.courseOwned(ctx, actor, courseID)
	if err != nil {
		return nil, err
	}
	if err := checkMonths(from, to); err != nil {
		return nil, err
	}
	return s.store.Revenue(ctx, RevenueQuery{TeacherID: c.TeacherID, CourseID: c.ID, From: from, To: to})
}

// TeacherRevenue is all of a teacher's revenue, for that teacher or an
// admin.
func (s *Service) TeacherRevenue(ctx context.Context, actor classroom.Account, teacherID, from, to string) ([]RevenueRow, error) {
	if teacherID != actor.ID && !isAdmin(actor) {
		return nil, classroom.ErrForbidden
	}
	if err := checkMonths(from, to); err != nil {
		return nil, err
	}
	return s.store.Revenue(ctx, RevenueQuery{TeacherID: teacherID, From: from, To: to})
}

func checkMonths(from, to string) error {
	for field, m := range map[string]string{"from": from, "to": to} {
		if m == "" {
			continue
		}
		if _, err := time.Parse("2006-01", m); err != nil || len(m) != 7 {
			return Invalid(field, "must be a month like 2030-05")
		}
	}
	return nil
}
