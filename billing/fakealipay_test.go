package billing_test

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/billing/alipay"
)

const (
	aliAppID  = "2021000000000001"
	aliSeller = "2088000000000001"
)

// fakeAlipay answers Alipay's gateway as documented: each request's sign
// (RSA2 over the sorted "k=v" pairs but sign) must verify with the app's
// public key; each answer's sign (over the raw JSON of the *_response
// object) is made with Alipay's key, which the SDK verifies.
type fakeAlipay struct {
	t      testing.TB
	srv    *httptest.Server
	app    *rsa.PrivateKey // the app's key (Lectern's side)
	alipay *rsa.PrivateKey // Alipay's key
	cfg    alipay.Config

	mu      sync.Mutex        // guards the fields below
	paid    map[string]string // out_trade_no → trade_no
	totals  map[string]string // out_trade_no → total_amount
	refunds map[string]string // out_request_no → refund_amount
	calls   map[string]int    // method → count
	badSigs int
	hang    map[string]int // method → calls still to hang
}

func newFakeAlipay(t testing.TB) *fakeAlipay {
	ks := rsaKeys()
	f := &fakeAlipay{t: t, app: ks[2], alipay: ks[3], paid: map[string]string{}, totals: map[string]string{},
		refunds: map[string]string{}, calls: map[string]int{}, hang: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	dir := t.TempDir()
	f.cfg = alipay.Config{AppID: aliAppID, PrivateKeyFile: privPEM(t, dir, "app_private.pem", f.app),
		PublicKeyFile: pubPEM(t, dir, "alipay_public.pem", &f.alipay.PublicKey), SellerID: aliSeller,
		GatewayURL: f.srv.URL + "/gateway.do", BaseURL: testBaseURL, HTTPClient: &http.Client{Timeout: 2 * time.Second}}
	return f
}

// aliContent is Alipay's string to sign: the pairs but skip, sorted.
func aliContent(v url.Values, skip ...string) string {
	var pairs []string
	for k, vs := range v {
		if contains(skip, k) {
			continue
		}
		for _, x := range vs {
			pairs = append(pairs, k+"="+x)
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// verifyApp checks a request (or a checkout URL's query) was signed with
// the app's key.
func (f *fakeAlipay) verifyApp(v url.Values) bool {
	return v.Get("app_id") == aliAppID && v.Get("sign_type") == "RSA2" &&
		rsaVerify(&f.app.PublicKey, aliContent(v, "sign"), v.Get("sign")) == nil
}

func (f *fakeAlipay) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	v := r.PostForm
	method := v.Get("method")
	ok := f.verifyApp(v)
	f.mu.Lock()
	f.calls[method]++
	hang := f.hang[method] > 0
	if hang {
		f.hang[method]--
	}
	if !ok {
		f.badSigs++
	}
	f.mu.Unlock()
	key := strings.ReplaceAll(method, ".", "_") + "_response"
	if !ok {
		f.reply(w, key, map[string]any{"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"})
		return
	}
	var biz map[string]string
	json.Unmarshal([]byte(v.Get("biz_content")), &biz)
	if hang {
		defer func() {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	no := biz["out_trade_no"]
	switch method {
	case "alipay.trade.query":
		tn, paid := f.paid[no]
		if !paid {
			f.reply(w, key, map[string]any{"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"})
			return
		}
		f.reply(w, key, map[string]any{"code": "10000", "msg": "Success", "trade_no": tn, "out_trade_no": no,
			"trade_status": "TRADE_SUCCESS", "total_amount": f.totals[no], "buyer_logon_id": "159****5620"})
	case "alipay.trade.refund":
		rq := biz["out_request_no"]
		change := "N"
		if _, seen := f.refunds[rq]; !seen {
			f.refunds[rq], change = biz["refund_amount"], "Y"
		}
		if hang {
			return
		}
		f.reply(w, key, map[string]any{"code": "10000", "msg": "Success", "trade_no": f.paid[no], "out_trade_no": no,
			"fund_change": change, "refund_fee": biz["refund_amount"]})
	case "alipay.trade.close":
		f.reply(w, key, map[string]any{"code": "10000", "msg": "Success", "out_trade_no": no})
	default:
		f.reply(w, key, map[string]any{"code": "40004", "msg": "Business Failed", "sub_code": "unknown-method"})
	}
}

// reply writes {"<key>": obj, "sign": RSA2 over obj's exact bytes}.
func (f *fakeAlipay) reply(w http.ResponseWriter, key string, obj map[string]any) {
	inner, _ := json.Marshal(obj)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write([]byte(`{"` + key + `":` + string(inner) + `,"sign":"` + rsaSign(f.alipay, string(inner)) + `"}`))
}

func (f *fakeAlipay) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

var beijing = time.FixedZone("CST", 8*3600)

// aliNotification is an asynchronous notification as Alipay posts it: a
// form signed (RSA2, every field but sign and sign_type) with key.
func aliNotification(key *rsa.PrivateKey, notifyID, tradeNo, outTradeNo, total string, at time.Time, extra ...string) url.Values {
	v := url.Values{"notify_time": {at.In(beijing).Format("2006-01-02 15:04:05")}, "notify_type": {"trade_status_sync"},
		"notify_id": {notifyID}, "app_id": {aliAppID}, "charset": {"utf-8"}, "version": {"1.0"},
		"trade_no": {tradeNo}, "out_trade_no": {outTradeNo}, "trade_status": {"TRADE_SUCCESS"},
		"total_amount": {total}, "receipt_amount": {total}, "seller_id": {aliSeller}, "buyer_id": {"2088102122524333"},
		"gmt_create": {at.In(beijing).Format("2006-01-02 15:04:05")}, "gmt_payment": {at.In(beijing).Format("2006-01-02 15:04:05")},
		"subject": {"线性代数"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	v.Set("sign", rsaSign(key, aliContent(v, "sign", "sign_type")))
	v.Set("sign_type", "RSA2")
	return v
}

func (e *env) postForm(provider string, v url.Values) (int, string) {
	e.t.Helper()
	return e.post(provider, []byte(v.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}
