package alipay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/publicurl"
	sdk "github.com/smartwalle/alipay/v3"
)

// The checkout methods.
const (
	MethodPage = "page" // computer website pay
	MethodWap  = "wap"  // mobile website pay
)

// Config configures the Alipay provider. Keys are read from files
// (--alipay-private-key-file, --alipay-public-key-file) and never logged.
type Config struct {
	AppID string
	// PrivateKeyFile holds the app's RSA private key (PKCS#1 or PKCS#8
	// PEM) that signs requests.
	PrivateKeyFile string
	// PublicKeyFile holds Alipay's RSA public key (PEM) that signs
	// answers and notifications.
	PublicKeyFile string
	// SellerID is the merchant's PID (2088…); when set, notifications
	// for another seller are refused.
	SellerID string
	// Sandbox uses Alipay's sandbox gateway.
	Sandbox bool
	// GatewayURL replaces Alipay's gateway (tests).
	GatewayURL string
	// BaseURL is Lectern's public origin, for notify_url and return_url.
	BaseURL string
	// HTTPClient calls Alipay (nil: a client with a 30 s timeout).
	HTTPClient *http.Client
	// Tolerance is how old a notification's notify_time may be (default
	// 26h: Alipay retries for about 25 hours).
	Tolerance time.Duration
	// Now is the clock for that check (default time.Now).
	Now func() time.Time
}

// Provider is Alipay.
type Provider struct {
	cfg    Config
	client *sdk.Client
}

// beijing is Alipay's time zone (notify_time, gmt_payment).
var beijing = time.FixedZone("CST", 8*3600)

// New returns the Alipay provider for cfg, its keys loaded.
func New(cfg Config) (*Provider, error) {
	var missing []string
	for _, f := range []struct{ v, flag string }{{cfg.AppID, "--alipay-app-id"},
		{cfg.PrivateKeyFile, "--alipay-private-key-file"}, {cfg.PublicKeyFile, "--alipay-public-key-file"},
		{cfg.BaseURL, "--public-url"}} {
		if f.v == "" {
			missing = append(missing, f.flag)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("billing: the alipay provider needs %s", strings.Join(missing, ", "))
	}
	priv, err := os.ReadFile(cfg.PrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("billing: --alipay-private-key-file: %w", err)
	}
	pub, err := os.ReadFile(cfg.PublicKeyFile)
	if err != nil {
		return nil, fmt.Errorf("billing: --alipay-public-key-file: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	opts := []sdk.OptionFunc{sdk.WithHTTPClient(hc), sdk.WithTimeLocation(beijing)}
	if cfg.GatewayURL != "" {
		opts = append(opts, sdk.WithProductionGateway(cfg.GatewayURL), sdk.WithSandboxGateway(cfg.GatewayURL))
	}
	c, err := sdk.New(cfg.AppID, string(priv), !cfg.Sandbox, opts...)
	if err != nil {
		return nil, fmt.Errorf("billing: --alipay-private-key-file: %w", err)
	}
	if err := c.LoadAliPayPublicKey(string(pub)); err != nil {
		return nil, fmt.Errorf("billing: --alipay-public-key-file: %w", err)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.Tolerance = cmp.Or(cfg.Tolerance, 26*time.Hour)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Provider{cfg: cfg, client: c}, nil
}

// Name is "alipay".
func (p *Provider) Name() string { return "alipay" }

// Methods is page and wap.
func (p *Provider) Methods() []string { return []string{MethodPage, MethodWap} }

// Currencies is CNY.
func (p *Provider) Currencies() []string { return []string{"CNY"} }

// StartCheckout signs the page-pay (or wap-pay) request: the checkout is
// a URL on Alipay's gateway carrying the signed order, nothing is sent
// before the buyer opens it (so it cannot time out, and opening it
// twice pays once: out_trade_no is the order).
func (p *Provider) StartCheckout(ctx context.Context, o billing.Order, course classroom.Course, _ billing.CheckoutClient) (billing.Checkout, error) {
	if o.Currency != "CNY" {
		return billing.Checkout{}, billing.Invalid("provider", "Alipay takes CNY only")
	}
	trade := sdk.Trade{
		NotifyURL:   p.cfg.BaseURL + "/api/v1/billing/webhooks/alipay",
		ReturnURL:   publicurl.From(ctx, p.cfg.BaseURL) + "/purchases/" + o.ID, // where the buyer came from
		Subject:     billing.Truncate(course.Title, 256),
		OutTradeNo:  billing.CompactID(o.ID),
		TotalAmount: billing.Decimal(o.Amount, "CNY"),
		TimeExpire:  o.ExpiresAt.In(beijing).Format("2006-01-02 15:04:05"),
		GoodsType:   "0",
	}
	var u *url.URL
	var err error
	switch o.Method {
	case MethodPage, "":
		trade.ProductCode = "FAST_INSTANT_TRADE_PAY"
		u, err = p.client.TradePagePay(sdk.TradePagePay{Trade: trade})
	case MethodWap:
		trade.ProductCode = "QUICK_WAP_WAY"
		u, err = p.client.TradeWapPay(sdk.TradeWapPay{Trade: trade, QuitURL: p.cfg.BaseURL + "/courses/" + o.CourseID})
	default:
		return billing.Checkout{}, billing.Invalid("method", "is not an Alipay checkout method")
	}
	if err != nil {
		return billing.Checkout{}, fmt.Errorf("%w: alipay sign: %v", billing.ErrProvider, err)
	}
	return billing.Checkout{Ref: trade.OutTradeNo, URL: u.String()}, nil
}

// CancelCheckout closes the trade if the buyer opened it.
func (p *Provider) CancelCheckout(ctx context.Context, o billing.Order) error {
	rsp, err := p.client.TradeClose(ctx, sdk.TradeClose{OutTradeNo: billing.CompactID(o.ID)})
	if err != nil {
		var ae *sdk.Error
		if errors.As(err, &ae) && ae.SubCode == "ACQ.TRADE_NOT_EXIST" {
			return nil
		}
		return callErr("trade close", err)
	}
	if rsp.IsFailure() && rsp.SubCode != "ACQ.TRADE_NOT_EXIST" {
		return callErr("trade close", rsp.Error)
	}
	return nil
}

// QueryPayment asks Alipay for the trade (alipay.trade.query).
func (p *Provider) QueryPayment(ctx context.Context, o billing.Order) (billing.Event, error) {
	none := billing.Event{Provider: p.Name(), Type: billing.EventIgnored, OrderID: o.ID}
	rsp, err := p.client.TradeQuery(ctx, sdk.TradeQuery{OutTradeNo: billing.CompactID(o.ID)})
	if err != nil {
		var ae *sdk.Error
		if errors.As(err, &ae) && ae.SubCode == "ACQ.TRADE_NOT_EXIST" {
			return none, nil
		}
		return billing.Event{}, callErr("trade query", err)
	}
	if rsp.IsFailure() {
		if rsp.SubCode == "ACQ.TRADE_NOT_EXIST" {
			return none, nil
		}
		return billing.Event{}, callErr("trade query", rsp.Error)
	}
	ev := billing.Event{Provider: p.Name(), RawType: string(rsp.TradeStatus), Type: billing.EventIgnored,
		OrderID: billing.ExpandID(rsp.OutTradeNo), CheckoutRef: rsp.OutTradeNo, PaymentRef: rsp.TradeNo}
	if ev.OrderID != o.ID {
		return billing.Event{}, fmt.Errorf("%w: alipay trade query answered for another trade", billing.ErrProvider)
	}
	switch rsp.TradeStatus {
	case sdk.TradeStatusSuccess, sdk.TradeStatusFinished:
		amt, err := billing.ParseDecimal(rsp.TotalAmount, "CNY")
		if err != nil {
			return billing.Event{}, fmt.Errorf("%w: alipay trade query: total_amount %q", billing.ErrProvider, rsp.TotalAmount)
		}
		ev.Type, ev.Money, ev.ID = billing.EventPaid, billing.Money{Amount: amt, Currency: currency(rsp.TransCurrency)}, "query:"+rsp.TradeNo
	case sdk.TradeStatusClosed:
		ev.Type, ev.ID = billing.EventExpired, "query:closed:"+o.ID
	}
	return ev, nil
}

// currency is a trade's currency: CNY unless Alipay says otherwise.
func currency(trans string) string {
	if trans == "" {
		return "CNY"
	}
	return strings.ToUpper(trans)
}

// ParseWebhook verifies an asynchronous notification (a form: every
// parameter but sign and sign_type, sorted and joined, RSA2-signed with
// Alipay's key) before reading it, then checks it is for this app (and
// seller) and recent. TRADE_SUCCESS and TRADE_FINISHED become paid
// events; refund notifications (with refund_fee or out_biz_no) and
// everything else are acknowledged and ignored.
func (p *Provider) ParseWebhook(_ http.Header, body []byte) (billing.Event, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return billing.Event{}, billing.Invalid("body", "is not a form")
	}
	if values.Get("sign") == "" {
		return billing.Event{}, fmt.Errorf("%w: alipay: no sign", billing.ErrSignature)
	}
	n, err := p.client.DecodeNotification(values)
	if err != nil {
		return billing.Event{}, fmt.Errorf("%w: alipay: %v", billing.ErrSignature, err)
	}
	if n.AppId != p.cfg.AppID || (p.cfg.SellerID != "" && n.SellerId != p.cfg.SellerID) {
		return billing.Event{}, billing.Invalid("body", "notification for another app or seller")
	}
	at, err := time.ParseInLocation("2006-01-02 15:04:05", n.NotifyTime, beijing)
	if err != nil {
		return billing.Event{}, billing.Invalid("notify_time", "is not a time")
	}
	now := p.cfg.Now()
	if now.Sub(at) > p.cfg.Tolerance || at.Sub(now) > 5*time.Minute {
		return billing.Event{}, fmt.Errorf("%w: alipay: notify_time %s is stale", billing.ErrSignature, n.NotifyTime)
	}
	if n.NotifyId == "" {
		return billing.Event{}, billing.Invalid("notify_id", "is missing")
	}
	ev := billing.Event{Provider: p.Name(), ID: n.NotifyId, RawType: n.NotifyType + ":" + string(n.TradeStatus),
		Type: billing.EventIgnored, OrderID: billing.ExpandID(n.OutTradeNo), CheckoutRef: n.OutTradeNo,
		PaymentRef: n.TradeNo, Created: at}
	if ev.OrderID == "" {
		ev.OrderID = n.OutTradeNo
	}
	refund := n.RefundFee != "" || n.OutBizNo != "" || n.GmtRefund != ""
	if refund || (n.TradeStatus != sdk.TradeStatusSuccess && n.TradeStatus != sdk.TradeStatusFinished) {
		return ev, nil
	}
	amt, err := billing.ParseDecimal(n.TotalAmount, "CNY")
	if err != nil {
		return billing.Event{}, billing.Invalid("total_amount", "is not an amount in yuan")
	}
	ev.Type = billing.EventPaid
	ev.Money = billing.Money{Amount: amt, Currency: currency(values.Get("trans_currency"))}
	return ev, nil
}

// Acknowledge answers "success" when the notification was applied;
// anything else makes Alipay retry (up to 8 times over about 25 hours).
func (p *Provider) Acknowledge(w http.ResponseWriter, _ billing.Outcome, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err == nil {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("success"))
		return
	}
	status, _, _ := billing.AckStatus(err)
	w.WriteHeader(status)
	_, _ = w.Write([]byte("fail"))
}

// Refund returns amount through alipay.trade.refund, out_request_no being
// the refund's ID: a repeated request refunds once (Alipay answers it
// again with fund_change N).
func (p *Provider) Refund(ctx context.Context, o billing.Order, refundID string, amount int64) (string, error) {
	rsp, err := p.client.TradeRefund(ctx, sdk.TradeRefund{OutTradeNo: billing.CompactID(o.ID),
		RefundAmount: billing.Decimal(amount, "CNY"), OutRequestNo: billing.CompactID(refundID)})
	if err != nil {
		return "", callErr("refund", err)
	}
	if rsp.IsFailure() {
		return "", callErr("refund", rsp.Error)
	}
	return rsp.TradeNo + "/" + billing.CompactID(refundID), nil
}

// callErr classifies an SDK error: Alipay's business refusal (40004 and
// the like) is final; a system error, a timeout or an answer whose
// signature did not verify leaves the outcome unknown.
func callErr(what string, err error) error {
	var ae *sdk.Error
	if !errors.As(err, &ae) {
		var ve sdk.Error
		if errors.As(err, &ve) {
			ae = &ve
		}
	}
	if ae != nil && ae.Code != "20000" && ae.SubCode != "ACQ.SYSTEM_ERROR" && !strings.HasPrefix(ae.SubCode, "isp.") {
		return fmt.Errorf("%w: alipay %s: %s %s %s", billing.ErrProvider, what, ae.Code, ae.SubCode, ae.SubMsg)
	}
	return fmt.Errorf("%w: %w: alipay %s: %v", billing.ErrProvider, billing.ErrOutcomeUnknown, what, err)
}
