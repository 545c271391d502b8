package billingmail

import (
	"fmt"
	"strings"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// The notice kinds, translated by the web client.
const (
	NoticeReceipt         = "order.paid"
	NoticeRefundDeclined  = "refund.declined"
	NoticeRefundSucceeded = "refund.succeeded"
	NoticeRefundFailed    = "refund.failed"
)

func chinese(a classroom.Account) bool { return strings.HasPrefix(strings.ToLower(a.Language), "zh") }

// when writes t in UTC for a's language (accounts have no time zone).
func when(a classroom.Account, t time.Time) string {
	t = t.UTC()
	if chinese(a) {
		return fmt.Sprintf("%d年%d月%d日 %02d:%02d（UTC）", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
	}
	return t.Format("2 Jan 2006, 15:04 UTC")
}

func money(amount int64, currency string) string {
	return billing.Money{Amount: amount, Currency: currency}.String()
}

// receipt is the mail and notice for paid order o.
func receipt(buyer classroom.Account, o billing.Order, base string, now time.Time) (classroom.Mail, classroom.Notice) {
	paid := money(o.Amount, o.Currency)
	var b strings.Builder
	var subject string
	if chinese(buyer) {
		subject = "购买凭证：" + o.CourseTitle
		fmt.Fprintf(&b, "感谢购买《%s》。\n\n订单号：%s\n支付时间：%s\n", o.CourseTitle, o.ID, when(buyer, o.PaidAt))
		if o.Discount > 0 {
			fmt.Fprintf(&b, "原价：%s\n优惠（%s）：-%s\n", money(o.ListAmount, o.Currency), o.CouponCode, money(o.Discount, o.Currency))
		}
		fmt.Fprintf(&b, "实付金额：%s\n", paid)
		if base != "" {
			fmt.Fprintf(&b, "\n订单详情：%s/purchases/%s\n", base, o.ID)
		}
	} else {
		subject = "Receipt: " + o.CourseTitle
		fmt.Fprintf(&b, "Thank you for buying %s.\n\nOrder: %s\nPaid: %s\n", o.CourseTitle, o.ID, when(buyer, o.PaidAt))
		if o.Discount > 0 {
			fmt.Fprintf(&b, "Price: %s\nCoupon %s: -%s\n", money(o.ListAmount, o.Currency), o.CouponCode, money(o.Discount, o.Currency))
		}
		fmt.Fprintf(&b, "Amount paid: %s\n", paid)
		if base != "" {
			fmt.Fprintf(&b, "\nYour order: %s/purchases/%s\n", base, o.ID)
		}
	}
	n := classroom.NewNotice(buyer.ID, NoticeReceipt,
		map[string]string{"course": o.CourseTitle, "course_id": o.CourseID, "order_id": o.ID, "amount": paid}, now)
	return classroom.Mail{To: buyer.Email, Subject: subject, Body: b.String()}, n
}

// refundOutcome is the mail and notice for a decided refund r.
func refundOutcome(buyer classroom.Account, course string, r billing.Refund, base string, now time.Time) (classroom.Mail, classroom.Notice) {
	amount := money(r.Amount, r.Currency)
	zh := chinese(buyer)
	var subject, body, kind string
	switch r.Status {
	case billing.RefundDeclined:
		kind = NoticeRefundDeclined
		if zh {
			subject, body = "退款申请未获批准："+course, fmt.Sprintf("你对《%s》的退款申请未获批准。\n", course)
			if r.Note != "" {
				body += "\n说明：" + r.Note + "\n"
			}
		} else {
			subject, body = "Refund declined: "+course, fmt.Sprintf("Your refund request for %s was declined.\n", course)
			if r.Note != "" {
				body += "\nNote: " + r.Note + "\n"
			}
		}
	case billing.RefundSucceeded:
		kind = NoticeRefundSucceeded
		if zh {
			subject, body = "退款已完成："+course, fmt.Sprintf("《%s》的退款 %s 已退回到你的原支付方式。\n", course, amount)
		} else {
			subject, body = "Refund completed: "+course, fmt.Sprintf("The refund of %s for %s has been sent back to the way you paid.\n", amount, course)
		}
	default: // failed
		kind = NoticeRefundFailed
		if zh {
			subject, body = "退款失败："+course, fmt.Sprintf("《%s》的退款 %s 未能完成。请联系讲师或管理员。\n", course, amount)
		} else {
			subject, body = "Refund failed: "+course, fmt.Sprintf("The refund of %s for %s could not be made. Please contact the teacher or an administrator.\n", amount, course)
		}
	}
	if base != "" {
		if zh {
			body += "\n订单详情：" + base + "/purchases/" + r.OrderID + "\n"
		} else {
			body += "\nYour order: " + base + "/purchases/" + r.OrderID + "\n"
		}
	}
	vars := map[string]string{"course": course, "course_id": r.CourseID, "order_id": r.OrderID, "amount": amount}
	if r.Note != "" {
		vars["note"] = r.Note
	}
	return classroom.Mail{To: buyer.Email, Subject: subject, Body: body}, classroom.NewNotice(buyer.ID, kind, vars, now)
}
