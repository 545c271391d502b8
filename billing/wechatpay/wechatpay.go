package wechatpay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/h5"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/jsapi"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/native"
	"github.com/wechatpay-apiv3/wechatpay-go/services/refunddomestic"
)

// The checkout methods.
const (
	MethodNative = "native" // a QR code, scanned with WeChat
	MethodH5     = "h5"     // a phone browser, handed to WeChat
)

// Provider is WeChat Pay API v3.
type Provider struct {
	cfg     Config
	client  *core.Client // signs requests and JSAPI bridge requests
	http    *http.Client // the SDK's, also for WeChat's OAuth
	secret  string       // the AppSecret, for OAuth (JSAPI only)
	native  native.NativeApiService
	h5      h5.H5ApiService
	jsapi   jsapi.JsapiApiService
	refunds refunddomestic.RefundsApiService
	notify  *notify.Handler
	methods []string
}

// New returns the WeChat Pay provider for cfg, its keys loaded.
func New(cfg Config) (*Provider, error) {
	k, err := cfg.load()
	if err != nil {
		return nil, err
	}
	hc, err := cfg.client()
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	client, err := core.NewClient(context.Background(),
		option.WithWechatPayPublicKeyAuthCipher(cfg.MchID, cfg.SerialNo, k.merchant, cfg.PublicKeyID, k.platform),
		option.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("billing: wechatpay client: %w", err)
	}
	nh, err := notify.NewRSANotifyHandler(k.apiV3, verifiers.NewSHA256WithRSAPubkeyVerifier(cfg.PublicKeyID, *k.platform))
	if err != nil {
		return nil, fmt.Errorf("billing: wechatpay notifications: %w", err)
	}
	p := &Provider{cfg: cfg, client: client, http: hc, secret: k.appSecret,
		native: native.NativeApiService{Client: client}, h5: h5.H5ApiService{Client: client},
		jsapi: jsapi.JsapiApiService{Client: client}, refunds: refunddomestic.RefundsApiService{Client: client},
		notify: nh, methods: []string{MethodNative}}
	if cfg.H5 {
		p.methods = append(p.methods, MethodH5)
	}
	if cfg.JSAPI {
		p.methods = append(p.methods, MethodJSAPI)
	}
	return p, nil
}

// Name is "wechatpay".
func (p *Provider) Name() string { return "wechatpay" }

// Methods is native, and h5 and jsapi when enabled.
func (p *Provider) Methods() []string { return p.methods }

// Currencies: a mainland merchant is paid in CNY.
func (p *Provider) Currencies() []string { return []string{"CNY"} }

func (p *Provider) notifyURL() string {
	return p.cfg.BaseURL + "/api/v1/billing/webhooks/wechatpay"
}

// StartCheckout places the order at WeChat Pay (out_trade_no is the
// order's ID, so a repeated call returns the same prepay) and returns
// its code_url (native), h5_url (h5) or prepay_id (jsapi).
func (p *Provider) StartCheckout(ctx context.Context, o billing.Order, course classroom.Course, client billing.CheckoutClient) (billing.Checkout, error) {
	desc := billing.Truncate(course.Title, 127)
	trade := billing.CompactID(o.ID)
	expire := o.ExpiresAt
	switch o.Method {
	case MethodNative, "":
		resp, _, err := p.native.Prepay(ctx, native.PrepayRequest{
			Appid: core.String(p.cfg.AppID), Mchid: core.String(p.cfg.MchID), Description: core.String(desc),
			OutTradeNo: core.String(trade), TimeExpire: &expire, NotifyUrl: core.String(p.notifyURL()),
			Amount: &native.Amount{Total: core.Int64(o.Amount), Currency: core.String(o.Currency)}})
		if err != nil {
			return billing.Checkout{}, callErr("native prepay", err)
		}
		if resp.CodeUrl == nil || *resp.CodeUrl == "" {
			return billing.Checkout{}, fmt.Errorf("%w: wechatpay native prepay: no code_url", billing.ErrProvider)
		}
		return billing.Checkout{Ref: trade, URL: *resp.CodeUrl}, nil
	case MethodH5:
		ip := client.IP
		if ip == "" {
			ip = "127.0.0.1"
		}
		resp, _, err := p.h5.Prepay(ctx, h5.PrepayRequest{
			Appid: core.String(p.cfg.AppID), Mchid: core.String(p.cfg.MchID), Description: core.String(desc),
			OutTradeNo: core.String(trade), TimeExpire: &expire, NotifyUrl: core.String(p.notifyURL()),
			Amount:    &h5.Amount{Total: core.Int64(o.Amount), Currency: core.String(o.Currency)},
			SceneInfo: &h5.SceneInfo{PayerClientIp: core.String(ip), H5Info: &h5.H5Info{Type: core.String("Wap")}}})
		if err != nil {
			return billing.Checkout{}, callErr("h5 prepay", err)
		}
		if resp.H5Url == nil || *resp.H5Url == "" {
			return billing.Checkout{}, fmt.Errorf("%w: wechatpay h5 prepay: no h5_url", billing.ErrProvider)
		}
		// Back to the purchase once WeChat is done.
		return billing.Checkout{Ref: trade, URL: *resp.H5Url + "&redirect_url=" +
			urlQueryEscape(p.cfg.BaseURL+"/purchases/"+o.ID)}, nil
	case MethodJSAPI:
		return p.startJSAPI(ctx, o, desc, trade, client)
	}
	return billing.Checkout{}, billing.Invalid("method", "is not a WeChat Pay checkout method")
}

// CancelCheckout closes the order at WeChat Pay so it cannot be paid.
func (p *Provider) CancelCheckout(ctx context.Context, o billing.Order) error {
	if o.CheckoutRef == "" {
		return nil
	}
	_, err := p.native.CloseOrder(ctx, native.CloseOrderRequest{OutTradeNo: core.String(billing.CompactID(o.ID)),
		Mchid: core.String(p.cfg.MchID)})
	if err != nil {
		return callErr("close order", err)
	}
	return nil
}

// QueryPayment asks WeChat Pay for the order's transaction (by
// out_trade_no).
func (p *Provider) QueryPayment(ctx context.Context, o billing.Order) (billing.Event, error) {
	tx, _, err := p.native.QueryOrderByOutTradeNo(ctx, native.QueryOrderByOutTradeNoRequest{
		OutTradeNo: core.String(billing.CompactID(o.ID)), Mchid: core.String(p.cfg.MchID)})
	if core.IsAPIError(err, "ORDER_NOT_EXIST") {
		return billing.Event{Provider: p.Name(), Type: billing.EventIgnored, OrderID: o.ID}, nil
	}
	if err != nil {
		return billing.Event{}, callErr("query order", err)
	}
	ev, err := p.transaction(*tx)
	if err != nil {
		return ev, err
	}
	if ev.PaymentRef != "" {
		ev.ID = "query:" + ev.PaymentRef
	} else {
		ev.ID = "query:" + o.ID + ":" + ev.RawType
	}
	if ev.Type == billing.EventIgnored && (ev.RawType == "CLOSED" || ev.RawType == "REVOKED") {
		ev.Type = billing.EventExpired
	}
	return ev, nil
}

// transaction decodes a transaction (notified or queried) after checking
// it belongs to this merchant and app.
func (p *Provider) transaction(tx payments.Transaction) (billing.Event, error) {
	ev := billing.Event{Provider: p.Name(), Type: billing.EventIgnored, RawType: deref(tx.TradeState)}
	if deref(tx.Mchid) != p.cfg.MchID || deref(tx.Appid) != p.cfg.AppID {
		return ev, billing.Invalid("body", "transaction of another merchant or app")
	}
	ev.OrderID = billing.ExpandID(deref(tx.OutTradeNo))
	if ev.OrderID == "" {
		// Not an order number Lectern makes: an unknown order.
		ev.OrderID = deref(tx.OutTradeNo)
	}
	ev.CheckoutRef = deref(tx.OutTradeNo)
	ev.PaymentRef = deref(tx.TransactionId)
	if tx.Amount != nil {
		ev.Money = billing.Money{Amount: derefInt(tx.Amount.Total), Currency: strings.ToUpper(deref(tx.Amount.Currency))}
	}
	if deref(tx.TradeState) == "SUCCESS" {
		ev.Type = billing.EventPaid
		if ev.PaymentRef == "" {
			return ev, billing.Invalid("body", "paid transaction without transaction_id")
		}
	}
	return ev, nil
}

// ParseWebhook verifies a notification's Wechatpay-Signature over
// "timestamp\nnonce\nbody\n" with WeChat Pay's public key (and that its
// Wechatpay-Serial names that key, and its timestamp is within five
// minutes), then decrypts its resource with the APIv3 key. Payment
// notifications (TRANSACTION.SUCCESS) become paid events; refund
// notifications (REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED) the
// final outcome of a refund Lectern asked for; others are acknowledged
// and ignored.
func (p *Provider) ParseWebhook(h http.Header, body []byte) (billing.Event, error) {
	req, err := http.NewRequest(http.MethodPost, p.notifyURL(), strings.NewReader(string(body)))
	if err != nil {
		return billing.Event{}, err
	}
	req.Header = h.Clone()
	var plain json.RawMessage
	n, err := p.notify.ParseNotifyRequest(context.Background(), req, &plain)
	if err != nil {
		if n == nil {
			// The signature (or the envelope before decryption) failed.
			return billing.Event{}, fmt.Errorf("%w: wechatpay: %v", billing.ErrSignature, firstLine(err))
		}
		// Signed by WeChat Pay but the resource did not decrypt: our
		// APIv3 key is not the one it was encrypted with.
		return billing.Event{}, fmt.Errorf("%w: wechatpay resource: %v", billing.ErrSignature, firstLine(err))
	}
	if n.ResourceType != "" && n.ResourceType != "encrypt-resource" {
		return billing.Event{}, billing.Invalid("body", "unexpected resource_type")
	}
	created := time.Time{}
	if n.CreateTime != nil {
		created = *n.CreateTime
	}
	original := ""
	if n.Resource != nil {
		original = n.Resource.OriginalType
	}
	var ev billing.Event
	switch {
	case n.EventType == "TRANSACTION.SUCCESS" && (original == "" || original == "transaction"):
		var tx payments.Transaction
		if err := json.Unmarshal(plain, &tx); err != nil {
			return billing.Event{}, billing.Invalid("body", "resource is not a transaction")
		}
		if ev, err = p.transaction(tx); err != nil {
			return ev, err
		}
	case strings.HasPrefix(n.EventType, "REFUND.") && (original == "" || original == "refund"):
		if ev, err = p.refundNotice(n.EventType, plain); err != nil {
			return ev, err
		}
	default:
		return billing.Event{Provider: p.Name(), ID: n.ID, RawType: n.EventType, Type: billing.EventIgnored, Created: created}, nil
	}
	ev.ID, ev.RawType, ev.Created = n.ID, n.EventType, created
	if ev.ID == "" {
		return ev, billing.Invalid("body", "notification without id")
	}
	return ev, nil
}

// refundResource is a refund notification's decrypted resource, as WeChat
// Pay documents it (the SDK has no type for it). Its amounts are fen; it
// names no currency: a domestic refund is in CNY.
type refundResource struct {
	Mchid         string `json:"mchid"`
	OutTradeNo    string `json:"out_trade_no"`
	TransactionID string `json:"transaction_id"`
	OutRefundNo   string `json:"out_refund_no"`
	RefundID      string `json:"refund_id"`
	RefundStatus  string `json:"refund_status"`
	Amount        struct {
		Total  *int64 `json:"total"`
		Refund *int64 `json:"refund"`
	} `json:"amount"`
}

// refundNotice decodes a refund notification of type typ: SUCCESS
// becomes EventRefundSucceeded, ABNORMAL and CLOSED EventRefundFailed.
func (p *Provider) refundNotice(typ string, plain []byte) (billing.Event, error) {
	ev := billing.Event{Provider: p.Name(), Type: billing.EventIgnored, RawType: typ}
	var r refundResource
	if err := json.Unmarshal(plain, &r); err != nil {
		return ev, billing.Invalid("body", "resource is not a refund")
	}
	if r.Mchid != p.cfg.MchID {
		return ev, billing.Invalid("body", "refund of another merchant")
	}
	if r.OutTradeNo == "" || r.OutRefundNo == "" || r.Amount.Refund == nil {
		return ev, billing.Invalid("body", "refund without out_trade_no, out_refund_no or amount")
	}
	switch {
	case typ == "REFUND.SUCCESS" && r.RefundStatus == "SUCCESS":
		ev.Type = billing.EventRefundSucceeded
	case (typ == "REFUND.ABNORMAL" || typ == "REFUND.CLOSED") && r.RefundStatus == strings.TrimPrefix(typ, "REFUND."):
		ev.Type = billing.EventRefundFailed
	default:
		return ev, billing.Invalid("body", "refund_status "+r.RefundStatus+" does not match event_type "+typ)
	}
	ev.OrderID = cmp.Or(billing.ExpandID(r.OutTradeNo), r.OutTradeNo)
	ev.CheckoutRef = r.OutTradeNo
	ev.PaymentRef = r.TransactionID
	ev.RefundID = cmp.Or(billing.ExpandID(r.OutRefundNo), r.OutRefundNo)
	ev.RefundRef = r.RefundID
	ev.Money = billing.Money{Amount: *r.Amount.Refund, Currency: "CNY"}
	return ev, nil
}

// Acknowledge answers as WeChat Pay expects: 204 with no body when the
// notification was applied, otherwise a 4xx/5xx with
// {"code":"FAIL","message":…} (WeChat Pay then retries, up to 15 times
// over 24 hours).
func (p *Provider) Acknowledge(w http.ResponseWriter, _ billing.Outcome, err error) {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	status, _, msg := billing.AckStatus(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"code": "FAIL", "message": msg})
	_, _ = w.Write(b)
}

// Refund returns amount through WeChat Pay's domestic refund API, the
// refund's ID as out_refund_no: a repeated call returns the same refund.
// A refund WeChat Pay is still processing, or a call that timed out, is
// billing.ErrOutcomeUnknown (asked again later).
func (p *Provider) Refund(ctx context.Context, o billing.Order, refundID string, amount int64) (string, error) {
	r, _, err := p.refunds.Create(ctx, refunddomestic.CreateRequest{
		OutTradeNo:  core.String(billing.CompactID(o.ID)),
		OutRefundNo: core.String(billing.CompactID(refundID)),
		Amount: &refunddomestic.AmountReq{Refund: core.Int64(amount), Total: core.Int64(o.Amount),
			Currency: core.String(o.Currency)}})
	if err != nil {
		return "", callErr("refund", err)
	}
	ref := deref(r.RefundId)
	switch st := r.Status; {
	case st == nil:
		return "", fmt.Errorf("%w: %w: wechatpay refund without status", billing.ErrProvider, billing.ErrOutcomeUnknown)
	case *st == refunddomestic.STATUS_SUCCESS:
		return ref, nil
	case *st == refunddomestic.STATUS_PROCESSING:
		return "", fmt.Errorf("%w: %w: wechatpay refund %s is processing", billing.ErrProvider, billing.ErrOutcomeUnknown, ref)
	default:
		return "", fmt.Errorf("%w: wechatpay refund %s is %s", billing.ErrProvider, ref, *st)
	}
}

// callErr classifies an SDK error: WeChat Pay's own refusal (an APIError
// with a 4xx status) is final; anything else (a timeout, a 5xx, an
// answer whose signature did not verify) leaves the outcome unknown.
func callErr(what string, err error) error {
	var ae *core.APIError
	if errors.As(err, &ae) {
		if ae.StatusCode >= 500 || ae.Code == "SYSTEM_ERROR" || ae.Code == "FREQUENCY_LIMITED" {
			return fmt.Errorf("%w: %w: wechatpay %s: %s %s (status %d)", billing.ErrProvider, billing.ErrOutcomeUnknown,
				what, ae.Code, ae.Message, ae.StatusCode)
		}
		return fmt.Errorf("%w: wechatpay %s: %s %s (status %d)", billing.ErrProvider, what, ae.Code, ae.Message, ae.StatusCode)
	}
	return fmt.Errorf("%w: %w: wechatpay %s: %v", billing.ErrProvider, billing.ErrOutcomeUnknown, what, firstLine(err))
}

// firstLine keeps an SDK error short (some embed the whole request).
func firstLine(err error) string {
	s := err.Error()
	if i := strings.Index(s, ", request: "); i >= 0 {
		s = s[:i]
	}
	return billing.Truncate(s, 300)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}
