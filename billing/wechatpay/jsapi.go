package wechatpay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/jsapi"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// MethodJSAPI pays inside WeChat's own browser (a page opened in WeChat,
// whose user agent says MicroMessenger): the page calls WeixinJSBridge
// with parameters Lectern signs. It needs the payer's openid for the
// AppID, obtained through WeChat's OAuth (AuthorizeURL, OpenID).
const MethodJSAPI = "jsapi"

// prepayPrefix starts a JSAPI order's checkout URL: the "package" the
// bridge is given, prepay_id=….
const prepayPrefix = "prepay_id="

// startJSAPI places a JSAPI order for the payer client.OpenID and returns
// its package (prepay_id=…) as the checkout URL.
func (p *Provider) startJSAPI(ctx context.Context, o billing.Order, desc, trade string, client billing.CheckoutClient) (billing.Checkout, error) {
	if client.OpenID == "" {
		return billing.Checkout{}, billing.ErrPayerUnknown
	}
	expire := o.ExpiresAt
	resp, _, err := p.jsapi.Prepay(ctx, jsapi.PrepayRequest{
		Appid: core.String(p.cfg.AppID), Mchid: core.String(p.cfg.MchID), Description: core.String(desc),
		OutTradeNo: core.String(trade), TimeExpire: &expire, NotifyUrl: core.String(p.notifyURL()),
		Amount: &jsapi.Amount{Total: core.Int64(o.Amount), Currency: core.String(o.Currency)},
		Payer:  &jsapi.Payer{Openid: core.String(client.OpenID)}})
	if err != nil {
		return billing.Checkout{}, callErr("jsapi prepay", err)
	}
	if resp.PrepayId == nil || *resp.PrepayId == "" {
		return billing.Checkout{}, fmt.Errorf("%w: wechatpay jsapi prepay: no prepay_id", billing.ErrProvider)
	}
	return billing.Checkout{Ref: trade, URL: prepayPrefix + *resp.PrepayId}, nil
}

// BridgeRequest is what the page hands WeixinJSBridge's
// getBrandWCPayRequest for JSAPI order o, with WeChat's own field names
// (appId, timeStamp, nonceStr, package, signType, paySign), signed with
// the merchant's key: paySign is RSA-SHA256 over
// "appId\ntimeStamp\nnonceStr\npackage\n", as the SDK's
// PrepayWithRequestPayment makes it. A fresh one may be made as often as
// the page asks while the order is pending.
func (p *Provider) BridgeRequest(ctx context.Context, o billing.Order) (map[string]string, error) {
	if o.Provider != p.Name() || o.Method != MethodJSAPI || !strings.HasPrefix(o.CheckoutURL, prepayPrefix) {
		return nil, billing.ErrOrderState
	}
	nonce, err := utils.GenerateNonce()
	if err != nil {
		return nil, err
	}
	r := map[string]string{"appId": p.cfg.AppID, "timeStamp": strconv.FormatInt(time.Now().Unix(), 10),
		"nonceStr": nonce, "package": o.CheckoutURL, "signType": "RSA"}
	sig, err := p.client.Sign(ctx, r["appId"]+"\n"+r["timeStamp"]+"\n"+r["nonceStr"]+"\n"+r["package"]+"\n")
	if err != nil {
		return nil, fmt.Errorf("billing: wechatpay: signing the bridge request: %w", err)
	}
	r["paySign"] = sig.Signature
	return r, nil
}

// AppID is the AppID payers' openids belong to.
func (p *Provider) AppID() string { return p.cfg.AppID }

// AuthorizeURL is WeChat's OAuth page (silent, scope snsapi_base) that
// sends the browser back to redirect with a code and state.
func (p *Provider) AuthorizeURL(redirect, state string) string {
	// WeChat wants the parameters in this order, and the fragment.
	return "https://open.weixin.qq.com/connect/oauth2/authorize?appid=" + url.QueryEscape(p.cfg.AppID) +
		"&redirect_uri=" + url.QueryEscape(redirect) + "&response_type=code&scope=snsapi_base&state=" +
		url.QueryEscape(state) + "#wechat_redirect"
}

// OpenID exchanges an OAuth code for the payer's openid at
// api.weixin.qq.com/sns/oauth2/access_token with the AppSecret. A code
// WeChat refuses (used, expired, forged) is ErrPayerUnknown.
func (p *Provider) OpenID(ctx context.Context, code string) (string, error) {
	if p.secret == "" {
		return "", fmt.Errorf("%w: --wechatpay-app-secret-file is not set", billing.ErrProvider)
	}
	if code == "" || len(code) > 512 {
		return "", billing.ErrPayerUnknown
	}
	q := url.Values{"appid": {p.cfg.AppID}, "secret": {p.secret}, "code": {code}, "grant_type": {"authorization_code"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.weixin.qq.com/sns/oauth2/access_token?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		// The error holds the URL, and so the AppSecret: not passed on.
		return "", fmt.Errorf("%w: wechat oauth: the call failed", billing.ErrProvider)
	}
	defer resp.Body.Close()
	var out struct {
		OpenID  string `json:"openid"`
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: wechat oauth: status %d", billing.ErrProvider, resp.StatusCode)
	}
	if out.ErrCode != 0 || out.OpenID == "" {
		return "", fmt.Errorf("%w: wechat oauth: %d %s", billing.ErrPayerUnknown, out.ErrCode, billing.Truncate(out.ErrMsg, 100))
	}
	if !billing.ValidOpenID(out.OpenID) {
		return "", fmt.Errorf("%w: wechat oauth: malformed openid", billing.ErrProvider)
	}
	return out.OpenID, nil
}
