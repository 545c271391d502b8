package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserBilling: a teacher creates a course with a price and flags one
// lesson as a free preview; a student (in Chinese) sees the price and the
// buy button, enrols for free and can join only the preview, buys the
// course through the dev checkout page (a double click makes one order),
// comes back to the course page, which follows the order until it is paid,
// and then joins the paid lesson; "my purchases" lists the paid order. The
// student asks for a refund, the teacher approves part of it from the
// refund queue, and the revenue page shows gross, refunds and net, and
// the monthly statement. A second student pays with a QR code: the order
// page draws it, the checkout it opens is paid elsewhere, and the page
// turns paid by itself.
func TestBrowserBilling(t *testing.T) {
	s := startTeacherScript(t, "billing", 150*time.Second, 45*time.Second)
	s.approveSubmitted(60 * time.Second)
	res := s.result(120 * time.Second)
	t.Logf("result: %v", res)

	if p, _ := res["priceText"].(string); !strings.Contains(p, "49") {
		t.Errorf("price shown as %q", p)
	}
	if res["buyText"] != "购买" {
		t.Errorf("buy button %v, want the Chinese label", res["buyText"])
	}
	if n, _ := res["joinBefore"].(float64); n != 0 {
		t.Errorf("a non-member sees %v join buttons", n)
	}
	if res["previewJoinable"] != true || res["paidLocked"] != true {
		t.Errorf("enrolled without buying: preview joinable %v, paid lesson locked %v", res["previewJoinable"], res["paidLocked"])
	}
	if n, _ := res["paidJoinStatus"].(float64); n != 402 {
		t.Errorf("join of a paid lesson before buying: HTTP %v, want 402", res["paidJoinStatus"])
	}
	if res["checkoutPath"] != true {
		t.Errorf("the buy button did not lead to the dev checkout page")
	}
	if res["pageBanner"] != "测试支付 — 不会产生真实扣款" || res["checkoutBanner"] != "Test payments — no money moves" &&
		res["checkoutBanner"] != "测试支付 — 不会产生真实扣款" {
		t.Errorf("test-payments banner: course page %v, checkout page %v", res["pageBanner"], res["checkoutBanner"])
	}
	if res["orderState"] != "paid" {
		t.Errorf("order state after the return %v", res["orderState"])
	}
	if n, _ := res["orders"].(float64); n != 1 {
		t.Errorf("%v orders after a double click, want 1", res["orders"])
	}
	if res["purchaseStatus"] != "paid" {
		t.Errorf("purchases page: status %v", res["purchaseStatus"])
	}
	if u, _ := res["roomURL"].(string); !strings.Contains(u, "/lesson/") {
		t.Errorf("room URL %q", u)
	}
	if res["roomTitle"] != "Goroutines" {
		t.Errorf("room title %v", res["roomTitle"])
	}
	if res["refundReason"] != "schedule clash" {
		t.Errorf("refund queue shows reason %v", res["refundReason"])
	}
	if res["refundedStatus"] != "partially_refunded" || res["refunded"] != float64(2000) {
		t.Errorf("after approving 20.00: order %v, refunded %v", res["refundedStatus"], res["refunded"])
	}
	if cells, _ := res["revenueCells"].([]any); len(cells) != 6 || cells[1] != "Paid Go" || cells[2] != "1" ||
		!strings.Contains(cells[3].(string), "49.00") || !strings.Contains(cells[4].(string), "20.00") || !strings.Contains(cells[5].(string), "29.00") {
		t.Errorf("revenue row %v", res["revenueCells"])
	}
	if h, _ := res["csvHref"].(string); !strings.HasPrefix(h, "/api/v1/teachers/me/revenue.csv") {
		t.Errorf("CSV link %q", h)
	}
	if n, _ := res["csvLines"].(float64); n != 2 {
		t.Errorf("CSV has %v lines, want a header and one row", res["csvLines"])
	}
	if cells, _ := res["statementCells"].([]any); len(cells) != 7 || cells[1] != "1" ||
		!strings.Contains(cells[2].(string), "49.00") || !strings.Contains(cells[5].(string), "29.00") {
		t.Errorf("statement row %v (no commission configured: net = gross - refunds)", res["statementCells"])
	}
	if opts, _ := res["payOptions"].([]any); len(opts) != 2 || opts[0] != "dev/page" || opts[1] != "dev/native" {
		t.Errorf("payment choices %v", res["payOptions"])
	}
	if n, _ := res["qrSize"].(float64); n < 100 {
		t.Errorf("QR code image %v px wide, want it drawn", res["qrSize"])
	}
	if ms, _ := res["qrPaidMs"].(float64); ms <= 0 || res["qrGone"] != true {
		t.Errorf("QR page after paying: %v ms, code removed %v", res["qrPaidMs"], res["qrGone"])
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
