// Package setup builds the enabled payment providers from the server's
// configuration (--payment-provider and each provider's flags), so that
// package billing knows none of them and cmd/lectern only fills a Config.
//
// setup may import every provider package; nothing in billing imports it.
package setup

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/alipay"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/billing/stripe"
	"github.com/lectern/lectern/billing/wechatpay"
)

// Config is every provider's configuration; only those named in
// Providers are built.
type Config struct {
	// Providers is a comma-separated list of provider names, in checkout
	// order: dev, stripe, wechatpay, alipay. "": payments disabled.
	Providers string
	BaseURL   string
	Stripe    stripe.Config
	WeChatPay wechatpay.Config
	Alipay    alipay.Config
	Dev       devpay.Config
	// HTTPClient calls the providers (nil: each SDK's default).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Names splits a --payment-provider value.
func Names(list string) []string {
	var out []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(strings.ToLower(n)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Chinese reports whether list enables a provider that takes CNY only,
// in which case new prices default to CNY.
func Chinese(list string) bool {
	for _, n := range Names(list) {
		if n == "wechatpay" || n == "alipay" {
			return true
		}
	}
	return false
}

// Providers builds the providers cfg names.
func Providers(cfg Config) ([]billing.Provider, error) {
	var out []billing.Provider
	for _, n := range Names(cfg.Providers) {
		var p billing.Provider
		var err error
		switch n {
		case "dev":
			c := cfg.Dev
			c.BaseURL = cfg.BaseURL
			p = devpay.New(c)
		case "stripe":
			c := cfg.Stripe
			c.BaseURL, c.Logger = cfg.BaseURL, cfg.Logger
			if c.HTTPClient == nil {
				c.HTTPClient = cfg.HTTPClient
			}
			p, err = stripe.New(c)
		case "wechatpay":
			c := cfg.WeChatPay
			c.BaseURL = cfg.BaseURL
			if c.HTTPClient == nil {
				c.HTTPClient = cfg.HTTPClient
			}
			p, err = wechatpay.New(c)
		case "alipay":
			c := cfg.Alipay
			c.BaseURL = cfg.BaseURL
			if c.HTTPClient == nil {
				c.HTTPClient = cfg.HTTPClient
			}
			p, err = alipay.New(c)
		default:
			return nil, fmt.Errorf("%w: %q (want dev, stripe, wechatpay or alipay)", billing.ErrUnknownProvider, n)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
