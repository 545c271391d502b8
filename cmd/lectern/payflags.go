package main

import (
	"flag"

	"github.com/lectern/lectern/billing/alipay"
	"github.com/lectern/lectern/billing/wechatpay"
)

// payFlags are the payment flags of lectern serve: the providers, each
// provider's settings and the platform's commission. Keys are never
// logged (WeChat Pay's and Alipay's are given as files).
type payFlags struct {
	provider   string // --payment-provider
	stripeKey  string
	stripeWH   string
	wechat     wechatpay.Config
	alipay     alipay.Config
	commission int
}

func (p *payFlags) register(fs *flag.FlagSet) {
	w, a := &p.wechat, &p.alipay
	fs.StringVar(&p.provider, "payment-provider", "", "comma-separated: stripe, wechatpay, alipay, or dev (test payments: no money moves); empty: payments disabled, except with --dev which means dev")
	fs.StringVar(&p.stripeKey, "stripe-secret-key", "", "Stripe secret API key (with --payment-provider stripe); never logged")
	fs.StringVar(&p.stripeWH, "stripe-webhook-secret", "", "Stripe webhook signing secret (whsec_...); never logged")
	fs.StringVar(&w.MchID, "wechatpay-mchid", "", "WeChat Pay merchant number (with --payment-provider wechatpay)")
	fs.StringVar(&w.AppID, "wechatpay-appid", "", "WeChat Pay AppID bound to the merchant")
	fs.StringVar(&w.SerialNo, "wechatpay-serial-no", "", "serial number of the merchant's API certificate")
	fs.StringVar(&w.KeyFile, "wechatpay-key-file", "", "file with the merchant's API private key (apiclient_key.pem)")
	fs.StringVar(&w.APIv3KeyFile, "wechatpay-apiv3-key-file", "", "file with the 32-character APIv3 key")
	fs.StringVar(&w.PublicKeyID, "wechatpay-public-key-id", "", "WeChat Pay public key ID (PUB_KEY_ID_...)")
	fs.StringVar(&w.PublicKeyFile, "wechatpay-public-key-file", "", "file with WeChat Pay's public key (PEM)")
	fs.BoolVar(&w.H5, "wechatpay-h5", false, "also offer WeChat Pay's H5 checkout for phone browsers")
	fs.BoolVar(&w.JSAPI, "wechatpay-jsapi", false, "also offer WeChat Pay inside WeChat's browser (JSAPI; the AppID must be an Official Account's, with --public-url's domain as its OAuth domain)")
	fs.StringVar(&w.AppSecretFile, "wechatpay-app-secret-file", "", "file with the Official Account's AppSecret, to learn payers' openids through WeChat's OAuth (with --wechatpay-jsapi)")
	fs.StringVar(&a.AppID, "alipay-app-id", "", "Alipay app ID (with --payment-provider alipay)")
	fs.StringVar(&a.PrivateKeyFile, "alipay-private-key-file", "", "file with the app's RSA private key (PEM)")
	fs.StringVar(&a.PublicKeyFile, "alipay-public-key-file", "", "file with Alipay's RSA public key (PEM)")
	fs.StringVar(&a.SellerID, "alipay-seller-id", "", "the merchant's PID (2088...); notifications for another seller are refused")
	fs.IntVar(&p.commission, "platform-commission-bps", 0, "the platform's commission on teachers' net revenue, in basis points (1000 = 10%); admins may set one per teacher")
	fs.BoolVar(&a.Sandbox, "alipay-sandbox", false, "use Alipay's sandbox gateway")
}
