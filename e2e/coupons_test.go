package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserCoupons: a teacher creates a 25 % coupon on the course page;
// a student buys the EUR 40.00 course with it through the dev checkout
// and pays EUR 30.00; the teacher's list shows one redemption, and the
// teacher disables the coupon. A coupon of EUR 7.50 off makes another
// student pay EUR 32.50.
func TestBrowserCoupons(t *testing.T) {
	s := startTeacherScript(t, "coupons", 160*time.Second, 45*time.Second)
	s.approveSubmitted(60 * time.Second)
	res := s.result(140 * time.Second)
	t.Logf("result: %v", res)

	if n, _ := res["usedBefore"].(float64); n != 0 || res["usedBefore"] == nil {
		t.Errorf("a new coupon shows %v redemptions", res["usedBefore"])
	}
	if n, _ := res["orders"].(float64); n != 1 {
		t.Fatalf("%v paid orders, want 1", res["orders"])
	}
	if res["listAmount"] != float64(4000) || res["amount"] != float64(3000) {
		t.Errorf("paid %v of a list price %v, want 3000 of 4000", res["amount"], res["listAmount"])
	}
	if c, _ := res["coupon"].(string); !strings.HasPrefix(c, "SAVE") {
		t.Errorf("order's coupon %q", c)
	}
	if u, _ := res["usedText"].(string); !strings.Contains(u, "1 of 10") {
		t.Errorf("teacher's list says %q, want one of ten used", u)
	}
	if res["disabled"] != true {
		t.Errorf("the disabled coupon still offers Disable")
	}
	if n, _ := res["amountOrders"].(float64); n != 1 || res["amountPaid"] != float64(3250) {
		t.Errorf("with EUR 7.50 off: %v paid orders, paid %v, want one of 3250", res["amountOrders"], res["amountPaid"])
	}
	if c, _ := res["amountCoupon"].(string); !strings.HasPrefix(c, "OFF") {
		t.Errorf("amount-off order's coupon %q", c)
	}
	if a, _ := res["amountText"].(string); !strings.Contains(a, "7.50") {
		t.Errorf("the amount-off coupon is listed as %q", a)
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
