package billinghttp

import (
	_ "embed"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/devpay"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
)

// devCSRFField is the dev checkout form's CSRF token field.
const devCSRFField = "csrf_token"

//go:embed devcheckout.html
var devCheckoutHTML string

var devCheckoutTmpl = template.Must(template.New("checkout").Parse(devCheckoutHTML))

// devStrings are the dev checkout page's texts in one language.
type devStrings struct {
	Title, Banner, DevNotice, Course, ListPrice, Coupon, Pay, Fail, Paid, Failed, NotPayable, Back string
}

var devText = map[string]devStrings{
	"en": {
		Title:      "Checkout",
		Banner:     "Test payments — no money moves",
		DevNotice:  "Development payment provider: no money moves. Choose how this payment ends.",
		Course:     "Course",
		ListPrice:  "Price",
		Coupon:     "Coupon",
		Pay:        "Pay",
		Fail:       "Fail",
		Paid:       "Payment succeeded. The course is yours.",
		Failed:     "Payment failed. Nothing was charged.",
		NotPayable: "This order cannot be paid any more",
		Back:       "Back to the course",
	},
	"zh": {
		Title:      "结账",
		Banner:     "测试支付 — 不会产生真实扣款",
		DevNotice:  "开发用支付方式：不会产生真实扣款。请选择本次支付的结果。",
		Course:     "课程",
		ListPrice:  "原价",
		Coupon:     "优惠券",
		Pay:        "支付",
		Fail:       "支付失败",
		Paid:       "支付成功，课程已开通。",
		Failed:     "支付失败，未扣款。",
		NotPayable: "此订单已无法支付",
		Back:       "返回课程",
	},
}

// pickLang chooses "zh" or "en" from an Accept-Language header, by
// quality, in the header's order for equal qualities.
func pickLang(header string) string {
	type pref struct {
		lang string
		q    float64
	}
	var prefs []pref
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if q > 0 && (primary == "zh" || primary == "en") {
			prefs = append(prefs, pref{primary, q})
		}
	}
	sort.SliceStable(prefs, func(a, b int) bool { return prefs[a].q > prefs[b].q })
	if len(prefs) > 0 {
		return prefs[0].lang
	}
	return "en"
}

type devPage struct {
	Lang                        string
	T                           devStrings
	Order                       billing.Order
	Amount, ListPrice, Discount string
	CSRF                        string
	Payable                     bool
	Result                      string
}

// devOrder loads the caller's own order for the dev checkout.
func (h *HTTP) devOrder(r *http.Request, c *api.Caller) (billing.Order, error) {
	if _, ok := h.svc.Provider("dev"); !ok {
		return billing.Order{}, classroom.ErrNotFound
	}
	id, err := pathID(r)
	if err != nil {
		return billing.Order{}, err
	}
	o, err := h.svc.Store().Order(r.Context(), id)
	if err != nil {
		return o, err
	}
	if o.AccountID != c.Account.ID || o.Provider != "dev" {
		return o, classroom.ErrNotFound
	}
	return o, nil
}

func (h *HTTP) renderDev(w http.ResponseWriter, r *http.Request, c *api.Caller, o billing.Order, result string) error {
	lang := pickLang(r.Header.Get("Accept-Language"))
	p := devPage{Lang: lang, T: devText[lang], Order: o, CSRF: c.CSRFToken,
		Amount:    o.Money().String(),
		ListPrice: billing.Money{Amount: o.ListAmount, Currency: o.Currency}.String(),
		Discount:  billing.Money{Amount: o.Discount, Currency: o.Currency}.String(),
		Payable:   o.Status == billing.StatusPending && h.svc.Now().Before(o.ExpiresAt),
		Result:    result}
	if lang == "zh" {
		p.Lang = "zh-Hans"
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("Vary", "Accept-Language")
	return devCheckoutTmpl.Execute(w, p)
}

// devCheckoutPage shows the dev provider's checkout for the caller's order.
func (h *HTTP) devCheckoutPage(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	o, err := h.devOrder(r, c)
	if err != nil {
		return err
	}
	return h.renderDev(w, r, c, o, "")
}

// devCheckoutPost plays the provider: "pay" or "fail" becomes an event
// applied exactly as a signed webhook would be.
func (h *HTTP) devCheckoutPost(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	o, err := h.devOrder(r, c)
	if err != nil {
		return err
	}
	typ := map[string]string{"pay": "payment.succeeded", "fail": "payment.failed"}[r.PostFormValue("action")]
	if typ == "" {
		return billing.Invalid("action", "must be pay or fail")
	}
	if o.Status != billing.StatusPending || !h.svc.Now().Before(o.ExpiresAt) {
		return h.renderDev(w, r, c, o, "")
	}
	if _, err := h.svc.ApplyEvent(r.Context(), devpay.NewDevEvent(o, typ, h.svc.Now()).Event()); err != nil {
		return err
	}
	if o, err = h.svc.Store().Order(r.Context(), o.ID); err != nil {
		return err
	}
	t := devText[pickLang(r.Header.Get("Accept-Language"))]
	result := t.Failed
	if o.Status == billing.StatusPaid {
		result = t.Paid
	}
	return h.renderDev(w, r, c, o, result)
}
