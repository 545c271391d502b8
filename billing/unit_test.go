package billing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecimal(t *testing.T) {
	for _, c := range []struct {
		amount int64
		cur    string
		want   string
	}{{4905, "EUR", "49.05"}, {5, "USD", "0.05"}, {4905, "JPY", "4905"}, {1, "KWD", "0.001"}, {-250, "CNY", "-2.50"}} {
		if got := Decimal(c.amount, c.cur); got != c.want {
			t.Errorf("Decimal(%d, %s) = %s, want %s", c.amount, c.cur, got, c.want)
		}
	}
	if _, err := CheckCurrency("c", "eur"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "EURO", "XYZ", "€"} {
		if _, err := CheckCurrency("c", bad); err == nil {
			t.Errorf("CheckCurrency(%q) accepted", bad)
		}
	}
}

func TestCouponDiscount(t *testing.T) {
	now := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
	price := Money{Amount: 999, Currency: "EUR"}
	pct := Coupon{TeacherID: "t", PercentOff: 33, ExpiresAt: now.Add(time.Hour), MaxRedemptions: 1}
	if d, err := pct.Discount(price, "c", "t", now); err != nil || d != 329 {
		t.Errorf("33%% of 999 = %d, %v; want 329 (rounded down)", d, err)
	}
	fixed := Coupon{TeacherID: "t", CourseID: "c", AmountOff: Money{5000, "EUR"}, ExpiresAt: now.Add(time.Hour), MaxRedemptions: 1}
	if d, _ := fixed.Discount(price, "c", "t", now); d != 999 {
		t.Errorf("fixed discount over the price = %d, want 999", d)
	}
	for name, c := range map[string]struct {
		c       Coupon
		course  string
		teacher string
		at      time.Time
		want    error
	}{
		"other course":   {fixed, "d", "t", now, ErrCouponInvalid},
		"other teacher":  {pct, "c", "u", now, ErrCouponInvalid},
		"expired":        {pct, "c", "t", now.Add(time.Hour), ErrCouponInvalid},
		"other currency": {Coupon{TeacherID: "t", AmountOff: Money{1, "USD"}, ExpiresAt: now.Add(time.Hour), MaxRedemptions: 1}, "c", "t", now, ErrCouponInvalid},
		"used up":        {Coupon{TeacherID: "t", PercentOff: 1, ExpiresAt: now.Add(time.Hour), MaxRedemptions: 1, Redeemed: 1}, "c", "t", now, ErrCouponExhausted},
	} {
		if _, err := c.c.Discount(price, c.course, c.teacher, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := NewCoupon("t", CouponInput{Code: "ab", PercentOff: 10, ExpiresAt: now.Add(time.Hour), MaxRedemptions: 1}, now); err == nil {
		t.Error("2-character code accepted")
	}
	if _, err := NewCoupon("t", CouponInput{Code: "abc", PercentOff: 10, AmountOff: 5, Currency: "EUR", ExpiresAt: now.Add(time.Hour), MaxRedemptions: 1}, now); err == nil {
		t.Error("percent and amount accepted together")
	}
}

func TestOrderStateMachine(t *testing.T) {
	all := []Status{StatusPending, StatusPaid, StatusPartiallyRefunded, StatusRefunded, StatusExpired, StatusCancelled}
	allowed := map[[2]Status]bool{
		{StatusPending, StatusPaid}: true, {StatusPending, StatusExpired}: true, {StatusPending, StatusCancelled}: true,
		{StatusExpired, StatusPaid}: true, {StatusCancelled, StatusPaid}: true,
		{StatusPaid, StatusPartiallyRefunded}: true, {StatusPaid, StatusRefunded}: true,
		{StatusPartiallyRefunded, StatusPartiallyRefunded}: true, {StatusPartiallyRefunded, StatusRefunded}: true,
	}
	for _, a := range all {
		for _, b := range all {
			if got := a.CanBecome(b); got != allowed[[2]Status{a, b}] {
				t.Errorf("%s → %s = %v", a, b, got)
			}
		}
	}
}

func TestRefundAllowed(t *testing.T) {
	paid := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
	o := Order{Status: StatusPaid, PaidAt: paid}
	p := Price{RefundWindow: DefaultRefundWindow, RefundLessonsPercent: 30}
	if err := RefundAllowed(o, p, 10, 2, paid.Add(24*time.Hour)); err != nil {
		t.Error(err)
	}
	if err := RefundAllowed(o, p, 10, 3, paid.Add(time.Hour)); !errors.Is(err, ErrRefundNotAllowed) {
		t.Errorf("3 of 10 lessons passed: %v", err)
	}
	if err := RefundAllowed(o, p, 0, 0, paid.Add(8*24*time.Hour)); !errors.Is(err, ErrRefundNotAllowed) {
		t.Errorf("after the window: %v", err)
	}
	o.Status = StatusRefunded
	if err := RefundAllowed(o, p, 0, 0, paid); !errors.Is(err, ErrOrderState) {
		t.Errorf("refunded order: %v", err)
	}
}

func TestRevenueCSVEscapesFormulas(t *testing.T) {
	var b strings.Builder
	WriteRevenueCSV(&b, []RevenueRow{{Month: "2030-05", CourseTitle: "=HYPERLINK(1)", Currency: "EUR", Gross: 100}})
	if !strings.Contains(b.String(), "'=HYPERLINK(1)") {
		t.Fatalf("csv:\n%s", b.String())
	}
}

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]int64{"199.00": 19900, "0.01": 1, "12": 1200, "12.5": 1250, "100000000.00": 10000000000} {
		if got, err := ParseDecimal(in, "CNY"); err != nil || got != want {
			t.Errorf("ParseDecimal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".5", "1.", "1.234", "-1.00", "1e3", "1,00", " 1.00", "١٢"} {
		if _, err := ParseDecimal(in, "CNY"); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", in)
		}
	}
	if got, err := ParseDecimal("4900", "JPY"); err != nil || got != 4900 {
		t.Errorf("JPY: %d, %v", got, err)
	}
	if _, err := ParseDecimal("49.5", "JPY"); err == nil {
		t.Error("JPY with decimals accepted")
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"199.00", "0.01", "1.", "abc", "99999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseDecimal(s, "CNY")
		if err != nil {
			return
		}
		if v < 0 || v > MaxAmount {
			t.Fatalf("ParseDecimal(%q) = %d", s, v)
		}
		// Round trip through Decimal.
		if back, err := ParseDecimal(Decimal(v, "CNY"), "CNY"); err != nil || back != v {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, v, Decimal(v, "CNY"), back, err)
		}
	})
}
