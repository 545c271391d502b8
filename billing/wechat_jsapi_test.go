package billing_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/wechatpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

const oauthStart = "/api/v1/billing/wechatpay/oauth"

// TestWeChatJSAPI is the server side of paying inside WeChat's browser,
// on both backends: the order needs the buyer's openid; WeChat's OAuth
// round trip (state bound to the browser, code exchanged with the
// AppSecret at a local WeChat that checks both) records it; the JSAPI
// prepay carries it, signed as the SDK signs; the page's bridge request
// is signed with the merchant key so that WeChat would accept it; and
// the payment notification pays the order. WeixinJSBridge itself exists
// only inside WeChat, so the browser half is not run here.
func TestWeChatJSAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, f := wxEnv(t, st, func(c *wechatpay.Config) { c.JSAPI = true })
		teacher := e.register("js-teacher@example.com", classroom.RoleTeacher)
		course := teacher.cnyCourse("微积分", 19900)
		student := e.register("js-student@example.com")
		if r := student.do("GET", "/api/v1/billing/config", nil); !strings.Contains(string(r.body), `"jsapi"`) {
			t.Fatalf("config does not offer jsapi: %s", r.body)
		}

		// No openid yet: nothing is ordered, nothing placed at WeChat Pay.
		r, _ := student.orderWith(course, "k1", "wechatpay", "jsapi")
		want(t, r, http.StatusConflict, "wechat_auth_required")
		if n := f.count("POST /v3/pay/transactions/jsapi"); n != 0 {
			t.Fatalf("%d JSAPI prepays without an openid", n)
		}
		if list, _ := st.ListOrders(t.Context(), billing.OrderQuery{AccountID: student.id}); len(list) != 0 {
			t.Fatalf("orders made without an openid: %+v", list)
		}

		t.Run("OAuth refusals", func(t *testing.T) {
			want(t, e.client().do("GET", oauthStart+"?next=/", nil), http.StatusUnauthorized)
			for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
				want(t, student.do("GET", oauthStart+"?next="+url.QueryEscape(next), nil), http.StatusUnprocessableEntity)
			}
			// A callback this browser did not start.
			want(t, student.do("GET", oauthStart+"/callback?code=x&state="+strings.Repeat("a", 32), nil), http.StatusUnprocessableEntity)
		})

		// start begins the OAuth round trip and returns the state WeChat
		// would send back.
		start := func(next string) string {
			t.Helper()
			r := student.do("GET", oauthStart+"?next="+url.QueryEscape(next), nil)
			want(t, r, http.StatusFound)
			loc, err := url.Parse(r.header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			q := loc.Query()
			if loc.Host != "open.weixin.qq.com" || loc.Path != "/connect/oauth2/authorize" || loc.Fragment != "wechat_redirect" ||
				q.Get("appid") != wxAppID || q.Get("scope") != "snsapi_base" || q.Get("response_type") != "code" ||
				q.Get("redirect_uri") != testBaseURL+oauthStart+"/callback" {
				t.Fatalf("authorize URL %s", loc)
			}
			if ck := r.header.Get("Set-Cookie"); !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
				t.Fatalf("state cookie %q", ck)
			}
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(q.Get("state")) {
				t.Fatalf("state %q", q.Get("state"))
			}
			return q.Get("state")
		}
		next := "/courses/" + course
		state := start(next)
		// Another browser of another account cannot use this state.
		other := e.register("js-other@example.com")
		want(t, other.do("GET", oauthStart+"/callback?code=code-1&state="+state, nil), http.StatusUnprocessableEntity)
		want(t, student.do("GET", oauthStart+"/callback?code=code-1&state="+strings.Repeat("b", 32), nil), http.StatusUnprocessableEntity)
		// A code WeChat refuses.
		want(t, student.do("GET", oauthStart+"/callback?code=forged&state="+state, nil), http.StatusConflict, "wechat_auth_required")
		// The state was used up with it: the same state again is refused.
		f.mu.Lock()
		f.codes["code-1"] = "oJSAPI_payer_0001"
		f.mu.Unlock()
		want(t, student.do("GET", oauthStart+"/callback?code=code-1&state="+state, nil), http.StatusUnprocessableEntity)
		state = start(next)
		r = student.do("GET", oauthStart+"/callback?code=code-1&state="+state, nil)
		want(t, r, http.StatusSeeOther)
		if r.header.Get("Location") != next {
			t.Fatalf("back to %q, want %q", r.header.Get("Location"), next)
		}
		if id, err := st.WeChatOpenID(t.Context(), student.id, wxAppID); err != nil || id != "oJSAPI_payer_0001" {
			t.Fatalf("openid %q, %v", id, err)
		}

		// The order goes through now, placed for that payer.
		r, o := student.orderWith(course, "k1", "wechatpay", "jsapi")
		want(t, r, http.StatusCreated)
		trade := billing.CompactID(o.ID)
		if o.Method != "jsapi" || o.CheckoutURL != "prepay_id=wx"+trade {
			t.Fatalf("order %+v", o)
		}
		f.mu.Lock()
		payer := f.payers[trade]
		f.mu.Unlock()
		if payer != "oJSAPI_payer_0001" {
			t.Fatalf("JSAPI prepay for payer %q", payer)
		}

		// The bridge request, as WeChat checks it.
		var br map[string]string
		r = student.do("GET", "/api/v1/orders/"+o.ID+"/wechat-jsapi", nil)
		want(t, r, http.StatusOK)
		r.decode(t, &br)
		ts, _ := strconv.ParseInt(br["timeStamp"], 10, 64)
		if br["appId"] != wxAppID || br["package"] != o.CheckoutURL || br["signType"] != "RSA" || br["nonceStr"] == "" ||
			time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
			t.Fatalf("bridge request %v", br)
		}
		msg := br["appId"] + "\n" + br["timeStamp"] + "\n" + br["nonceStr"] + "\n" + br["package"] + "\n"
		if err := rsaVerify(&f.merchant.PublicKey, msg, br["paySign"]); err != nil {
			t.Fatalf("paySign does not verify with the merchant key: %v", err)
		}
		want(t, other.do("GET", "/api/v1/orders/"+o.ID+"/wechat-jsapi", nil), http.StatusNotFound)
		r, native := other.orderWith(course, "k2", "wechatpay", "native")
		want(t, r, http.StatusCreated)
		want(t, other.do("GET", "/api/v1/orders/"+native.ID+"/wechat-jsapi", nil), http.StatusConflict, "invalid_order_state")

		n := newWxNotification("n-jsapi", wxTransaction(trade, "4200000007", "SUCCESS", 19900, "CNY"), f.platform, time.Now())
		if code, _ := e.post("wechatpay", n.body, n.header); code != http.StatusNoContent {
			t.Fatalf("payment notification: %d", code)
		}
		if got := student.receipt(o.ID); got.Status != "paid" {
			t.Fatalf("after the notification: %+v", got)
		}
		want(t, student.do("GET", "/api/v1/orders/"+o.ID+"/wechat-jsapi", nil), http.StatusConflict, "invalid_order_state")
		if f.bad() != 0 {
			t.Fatalf("%d requests to WeChat Pay had a bad signature", f.bad())
		}
		if n := f.count("GET /sns/oauth2/access_token"); n != 2 {
			t.Fatalf("%d code exchanges, want 2 (the refused one and the good one)", n)
		}
	})
}
