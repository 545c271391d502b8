package wechatpay

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// Config configures the WeChat Pay provider. Keys are read from files
// (--wechatpay-key-file, --wechatpay-apiv3-key-file,
// --wechatpay-public-key-file) and never logged.
type Config struct {
	MchID string // the merchant number (商户号)
	AppID string // the AppID bound to the merchant
	// SerialNo is the serial number of the merchant's API certificate.
	SerialNo string
	// KeyFile holds the merchant's API private key (apiclient_key.pem).
	KeyFile string
	// APIv3KeyFile holds the 32-character APIv3 key that encrypts
	// notifications.
	APIv3KeyFile string
	// PublicKeyID ("PUB_KEY_ID_…") and PublicKeyFile are WeChat Pay's
	// public key, which signs its answers and notifications.
	PublicKeyID   string
	PublicKeyFile string
	// H5 offers the phone-browser checkout too (it must be enabled for
	// the merchant, with BaseURL's domain registered).
	H5 bool
	// JSAPI offers payment inside WeChat's browser; it needs the AppID to
	// be an Official Account's with BaseURL's domain as its OAuth domain,
	// and its AppSecret (AppSecretFile) to learn payers' openids.
	JSAPI         bool
	AppSecretFile string
	// BaseURL is Lectern's public origin (https), for notify_url.
	BaseURL string
	// APIURL replaces https://api.mch.weixin.qq.com (tests).
	APIURL string
	// HTTPClient calls WeChat Pay (nil: a client with a 30 s timeout).
	HTTPClient *http.Client
}

// keys are a Config's keys, loaded.
type keys struct {
	merchant  *rsa.PrivateKey
	apiV3     string
	platform  *rsa.PublicKey
	appSecret string // JSAPI only
}

func (c Config) load() (keys, error) {
	var k keys
	var missing []string
	for _, f := range []struct{ v, flag string }{
		{c.MchID, "--wechatpay-mchid"}, {c.AppID, "--wechatpay-appid"}, {c.SerialNo, "--wechatpay-serial-no"},
		{c.KeyFile, "--wechatpay-key-file"}, {c.APIv3KeyFile, "--wechatpay-apiv3-key-file"},
		{c.PublicKeyID, "--wechatpay-public-key-id"}, {c.PublicKeyFile, "--wechatpay-public-key-file"},
		{c.BaseURL, "--public-url"},
	} {
		if f.v == "" {
			missing = append(missing, f.flag)
		}
	}
	if c.JSAPI && c.AppSecretFile == "" {
		missing = append(missing, "--wechatpay-app-secret-file (for --wechatpay-jsapi)")
	}
	if len(missing) > 0 {
		return k, fmt.Errorf("billing: the wechatpay provider needs %s", strings.Join(missing, ", "))
	}
	var err error
	if k.merchant, err = utils.LoadPrivateKeyWithPath(c.KeyFile); err != nil {
		return k, fmt.Errorf("billing: --wechatpay-key-file: %w", err)
	}
	if k.platform, err = utils.LoadPublicKeyWithPath(c.PublicKeyFile); err != nil {
		return k, fmt.Errorf("billing: --wechatpay-public-key-file: %w", err)
	}
	b, err := os.ReadFile(c.APIv3KeyFile)
	if err != nil {
		return k, fmt.Errorf("billing: --wechatpay-apiv3-key-file: %w", err)
	}
	if k.apiV3 = strings.TrimSpace(string(b)); len(k.apiV3) != 32 {
		return k, errors.New("billing: --wechatpay-apiv3-key-file must hold the 32-character APIv3 key")
	}
	if c.JSAPI {
		b, err := os.ReadFile(c.AppSecretFile)
		if err != nil {
			return k, fmt.Errorf("billing: --wechatpay-app-secret-file: %w", err)
		}
		if k.appSecret = strings.TrimSpace(string(b)); k.appSecret == "" {
			return k, errors.New("billing: --wechatpay-app-secret-file is empty")
		}
	}
	return k, nil
}

// client returns the HTTP client for c: with APIURL set, every request
// for WeChat Pay's hosts goes there instead (the signature covers only
// the path and query, so it is unchanged).
func (c Config) client() (*http.Client, error) {
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if c.APIURL == "" {
		return hc, nil
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("billing: wechatpay API URL %q is not a URL", c.APIURL)
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cp := *hc
	cp.Transport = redirect{to: u, next: next}
	return &cp, nil
}

// redirect sends every request to another scheme and host.
type redirect struct {
	to   *url.URL
	next http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, r.to.Host
	return r.next.RoundTrip(req)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
