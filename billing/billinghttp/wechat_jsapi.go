package billinghttp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// wechatJSAPI is WeChat Pay's in-WeChat checkout as billinghttp uses it
// (billing/wechatpay's Provider with --wechatpay-jsapi).
type wechatJSAPI interface {
	billing.Provider
	AppID() string
	AuthorizeURL(redirect, state string) string
	OpenID(ctx context.Context, code string) (string, error)
	BridgeRequest(ctx context.Context, o billing.Order) (map[string]string, error)
}

const (
	methodJSAPI = "jsapi"
	// oauthPath starts WeChat's OAuth for the signed-in buyer; its
	// callback is oauthPath + "/callback".
	oauthPath = "/api/v1/billing/wechatpay/oauth"
	// stateCookie binds an OAuth round trip to the browser that started
	// it: "<state>|<next path>".
	stateCookie = "lectern_wx_oauth"
)

// jsapi returns the enabled WeChat Pay provider if it offers JSAPI.
func (h *HTTP) jsapi() (wechatJSAPI, bool) {
	p, ok := h.svc.Provider("wechatpay")
	if !ok || !billing.HasMethod(p, methodJSAPI) {
		return nil, false
	}
	j, ok := p.(wechatJSAPI)
	return j, ok
}

// payerOpenID fills client.OpenID for a JSAPI order: the buyer must have
// been through WeChat's OAuth (ErrPayerUnknown otherwise).
func (h *HTTP) payerOpenID(ctx context.Context, c *api.Caller, req orderRequest, client *billing.CheckoutClient) error {
	if req.Provider != "wechatpay" || req.Method != methodJSAPI {
		return nil
	}
	j, ok := h.jsapi()
	if !ok {
		return nil // CreateOrder refuses the method
	}
	id, err := h.svc.WeChatOpenID(ctx, c.Account.ID, j.AppID())
	if errors.Is(err, classroom.ErrNotFound) {
		return billing.ErrPayerUnknown
	}
	client.OpenID = id
	return err
}

// localPath reports whether next is a path on this server (not another
// origin, not a protocol-relative URL).
func localPath(next string) bool {
	return strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") &&
		len(next) <= 1024 && !strings.ContainsAny(next, "|\r\n")
}

// wechatOAuth serves GET oauthPath?next=/path: it sends the signed-in
// buyer to WeChat's silent OAuth page, which comes back to the callback
// with a code.
func (h *HTTP) wechatOAuth(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	j, ok := h.jsapi()
	if !ok {
		return classroom.ErrNotFound
	}
	next := r.URL.Query().Get("next")
	if next == "" {
		next = "/"
	}
	if !localPath(next) {
		return billing.Invalid("next", "must be a path on this server")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	state := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state + "|" + next, Path: oauthPath, MaxAge: 600,
		HttpOnly: true, Secure: h.api.Secure(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, j.AuthorizeURL(h.svc.BaseURL()+oauthPath+"/callback", state), http.StatusFound)
	return nil
}

// wechatOAuthCallback serves GET oauthPath/callback?code=…&state=…: the
// state must be the one this browser was given; the code is exchanged
// for the buyer's openid, which is recorded, and the browser goes back
// where it started.
func (h *HTTP) wechatOAuthCallback(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	j, ok := h.jsapi()
	if !ok {
		return classroom.ErrNotFound
	}
	ck, err := r.Cookie(stateCookie)
	state, next, found := "", "", false
	if err == nil {
		state, next, found = strings.Cut(ck.Value, "|")
	}
	q := r.URL.Query()
	if !found || len(state) != 32 || q.Get("state") != state || !localPath(next) {
		return billing.Invalid("state", "does not match this browser's sign-in with WeChat; start again")
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: oauthPath, MaxAge: -1,
		HttpOnly: true, Secure: h.api.Secure(r), SameSite: http.SameSiteLaxMode})
	if q.Get("code") == "" {
		// The buyer declined (snsapi_base is silent, but WeChat may still).
		return billing.ErrPayerUnknown
	}
	openID, err := j.OpenID(r.Context(), q.Get("code"))
	if err != nil {
		return err
	}
	if err := h.svc.SetWeChatOpenID(r.Context(), c.Account.ID, j.AppID(), openID); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// wechatBridge serves GET /api/v1/orders/{id}/wechat-jsapi: for the
// buyer's pending JSAPI order, the signed request the page hands
// WeixinJSBridge's getBrandWCPayRequest.
func (h *HTTP) wechatBridge(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	o, err := h.buyersOrder(r, c)
	if err != nil {
		return err
	}
	j, ok := h.jsapi()
	if !ok || o.Provider != j.Name() || o.Method != methodJSAPI || o.Status != billing.StatusPending ||
		!h.svc.Now().Before(o.ExpiresAt) {
		return billing.ErrOrderState
	}
	req, err := j.BridgeRequest(r.Context(), o)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, req)
	return nil
}
