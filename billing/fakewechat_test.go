package billing_test

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/billing/wechatpay"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

const (
	wxMchID    = "1900000109"
	wxAppID    = "wxd678efh567hg6787"
	wxSerial   = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	wxPubKeyID = "PUB_KEY_ID_0114232134912410000000000000"
	wxAPIv3Key = "0123456789abcdefghijklmnopqrstuv"
	wxSecret   = "app-secret-0123456789abcdef"
)

// rsaKey makes an RSA key for a test (2048 bits, as WeChat Pay and
// Alipay use), generated once per test binary: key generation is slow.
var rsaKeys = sync.OnceValue(func() [4]*rsa.PrivateKey {
	var ks [4]*rsa.PrivateKey
	var wg sync.WaitGroup
	for i := range ks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}()
	}
	wg.Wait()
	return ks
})

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func privPEM(t testing.TB, dir, name string, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PRIVATE KEY", der)
}

func pubPEM(t testing.TB, dir, name string, k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PUBLIC KEY", der)
}

func rsaSign(k *rsa.PrivateKey, msg string) string {
	h := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func rsaVerify(k *rsa.PublicKey, msg, sig string) error {
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return err
	}
	h := sha256.Sum256([]byte(msg))
	return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], b)
}

// fakeWeChat answers WeChat Pay API v3 as documented: it checks each
// request's Authorization (WECHATPAY2-SHA256-RSA2048 over "METHOD\nURI\n
// timestamp\nnonce\nbody\n" with the merchant's key) and signs each
// answer with the platform key, which the SDK verifies.
type fakeWeChat struct {
	t        testing.TB
	srv      *httptest.Server
	merchant *rsa.PrivateKey // the merchant's key (Lectern's side)
	platform *rsa.PrivateKey // WeChat Pay's key
	cfg      wechatpay.Config

	mu       sync.Mutex        // guards the fields below
	orders   map[string]int64  // out_trade_no → total
	paid     map[string]string // out_trade_no → transaction_id
	refunds  map[string]int64  // out_refund_no → amount
	calls    map[string]int    // "METHOD path" → count
	badSigs  int               // requests whose signature did not verify
	hang     map[string]int    // path prefix → calls still to hang
	refundSt string            // status of new refunds (SUCCESS by default)
	codes    map[string]string // OAuth code → openid, each usable once
	payers   map[string]string // out_trade_no → payer openid (JSAPI)
}

func newFakeWeChat(t testing.TB) *fakeWeChat {
	ks := rsaKeys()
	f := &fakeWeChat{t: t, merchant: ks[0], platform: ks[1], orders: map[string]int64{}, paid: map[string]string{},
		refunds: map[string]int64{}, calls: map[string]int{}, hang: map[string]int{}, refundSt: "SUCCESS",
		codes: map[string]string{}, payers: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	dir := t.TempDir()
	apiv3 := filepath.Join(dir, "apiv3.key")
	os.WriteFile(apiv3, []byte(wxAPIv3Key+"\n"), 0o600)
	secret := filepath.Join(dir, "appsecret")
	os.WriteFile(secret, []byte(wxSecret+"\n"), 0o600)
	f.cfg = wechatpay.Config{MchID: wxMchID, AppID: wxAppID, SerialNo: wxSerial,
		KeyFile: privPEM(t, dir, "apiclient_key.pem", f.merchant), APIv3KeyFile: apiv3,
		PublicKeyID: wxPubKeyID, PublicKeyFile: pubPEM(t, dir, "pub_key.pem", &f.platform.PublicKey),
		H5: true, AppSecretFile: secret, BaseURL: testBaseURL, APIURL: f.srv.URL, HTTPClient: &http.Client{Timeout: 2 * time.Second}}
	return f
}

var authRE = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]+)",nonce_str="([^"]+)",timestamp="(\d+)",serial_no="([^"]+)",signature="([^"]+)"$`)

func (f *fakeWeChat) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/sns/") {
		f.oauth(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	m := authRE.FindStringSubmatch(r.Header.Get("Authorization"))
	ok := m != nil && m[1] == wxMchID && m[4] == wxSerial
	if ok {
		msg := r.Method + "\n" + r.URL.RequestURI() + "\n" + m[3] + "\n" + m[2] + "\n" + string(body) + "\n"
		ok = rsaVerify(&f.merchant.PublicKey, msg, m[5]) == nil
		ts, _ := strconv.ParseInt(m[3], 10, 64)
		ok = ok && time.Since(time.Unix(ts, 0)).Abs() < 5*time.Minute
	}
	f.mu.Lock()
	f.calls[r.Method+" "+r.URL.Path]++
	hang := false
	for p, n := range f.hang {
		if n > 0 && strings.HasPrefix(r.URL.Path, p) {
			f.hang[p]--
			hang = true
		}
	}
	if !ok {
		f.badSigs++
	}
	f.mu.Unlock()
	if !ok {
		f.reply(w, http.StatusUnauthorized, map[string]any{"code": "SIGN_ERROR", "message": "签名错误"})
		return
	}
	var req map[string]any
	json.Unmarshal(body, &req)
	if hang {
		// Do the work, then answer too late: the SDK's client gives up,
		// as when the answer is lost on the way back.
		defer func() {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "POST" && r.URL.Path == "/v3/pay/transactions/jsapi":
		no := req["out_trade_no"].(string)
		payer, _ := req["payer"].(map[string]any)
		openid, _ := payer["openid"].(string)
		if openid == "" {
			f.reply(w, 400, map[string]any{"code": "PARAM_ERROR", "message": "缺少参数 payer.openid"})
			return
		}
		f.orders[no] = int64(req["amount"].(map[string]any)["total"].(float64))
		f.payers[no] = openid
		f.reply(w, 200, map[string]any{"prepay_id": "wx" + no})
	case r.Method == "POST" && (r.URL.Path == "/v3/pay/transactions/native" || r.URL.Path == "/v3/pay/transactions/h5"):
		no := req["out_trade_no"].(string)
		amt := req["amount"].(map[string]any)
		f.orders[no] = int64(amt["total"].(float64))
		if hang {
			return
		}
		if strings.HasSuffix(r.URL.Path, "native") {
			f.reply(w, 200, map[string]any{"code_url": "weixin://wxpay/bizpayurl?pr=" + no})
		} else {
			f.reply(w, 200, map[string]any{"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx" + no})
		}
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v3/pay/transactions/out-trade-no/"):
		no := strings.TrimPrefix(r.URL.Path, "/v3/pay/transactions/out-trade-no/")
		total, known := f.orders[no]
		if !known {
			f.reply(w, 404, map[string]any{"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
			return
		}
		state, txid := "NOTPAY", ""
		if id, ok := f.paid[no]; ok {
			state, txid = "SUCCESS", id
		}
		f.reply(w, 200, wxTransaction(no, txid, state, total, "CNY"))
	case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/close"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "POST" && r.URL.Path == "/v3/refund/domestic/refunds":
		no := req["out_refund_no"].(string)
		amt := int64(req["amount"].(map[string]any)["refund"].(float64))
		if _, seen := f.refunds[no]; !seen {
			f.refunds[no] = amt
		}
		if hang {
			return
		}
		f.reply(w, 200, map[string]any{"refund_id": "50000" + no[:10], "out_refund_no": no,
			"transaction_id": "4200", "out_trade_no": req["out_trade_no"], "channel": "ORIGINAL",
			"user_received_account": "支付用户零钱", "create_time": time.Now().Format(time.RFC3339),
			"status": f.refundSt, "amount": map[string]any{"total": amt, "refund": amt, "payer_total": amt,
				"payer_refund": amt, "settlement_refund": amt, "settlement_total": amt, "discount_refund": 0, "currency": "CNY"}})
	default:
		f.reply(w, 404, map[string]any{"code": "NOT_FOUND", "message": "unknown"})
	}
}

// oauth answers WeChat's OAuth code exchange (sns/oauth2/access_token) as
// documented: the AppID and AppSecret must be the app's, and a code gives
// its openid once.
func (f *fakeWeChat) oauth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.calls[r.Method+" "+r.URL.Path]++
	openid, ok := f.codes[q.Get("code")]
	delete(f.codes, q.Get("code"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method != "GET" || r.URL.Path != "/sns/oauth2/access_token" || q.Get("grant_type") != "authorization_code":
		json.NewEncoder(w).Encode(map[string]any{"errcode": 40001, "errmsg": "invalid request"})
	case q.Get("appid") != wxAppID || q.Get("secret") != wxSecret:
		json.NewEncoder(w).Encode(map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
	case !ok:
		json.NewEncoder(w).Encode(map[string]any{"errcode": 40029, "errmsg": "invalid code"})
	default:
		json.NewEncoder(w).Encode(map[string]any{"access_token": "ACCESS", "expires_in": 7200,
			"refresh_token": "REFRESH", "openid": openid, "scope": "snsapi_base"})
	}
}

// reply answers with a body signed by the platform key.
func (f *fakeWeChat) reply(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "nonce"+strconv.Itoa(int(time.Now().UnixNano()%1e6))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Request-Id", "req-1")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Serial", wxPubKeyID)
	h.Set("Wechatpay-Signature", rsaSign(f.platform, ts+"\n"+nonce+"\n"+string(body)+"\n"))
	w.WriteHeader(status)
	w.Write(body)
}

func (f *fakeWeChat) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

func (f *fakeWeChat) bad() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.badSigs
}

func wxTransaction(tradeNo, txID, state string, total int64, currency string) map[string]any {
	t := map[string]any{"appid": wxAppID, "mchid": wxMchID, "out_trade_no": tradeNo, "trade_state": state,
		"trade_state_desc": state, "trade_type": "NATIVE", "bank_type": "OTHERS",
		"payer":  map[string]any{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		"amount": map[string]any{"total": total, "payer_total": total, "currency": currency, "payer_currency": currency}}
	if txID != "" {
		t["transaction_id"] = txID
		t["success_time"] = time.Now().Format(time.RFC3339)
	}
	return t
}

// wxNotification is a payment notification as WeChat Pay sends it: the
// transaction encrypted with the APIv3 key (AES-256-GCM, associated data
// "transaction"), the envelope signed by key over "timestamp\nnonce\n
// body\n" at time at.
type wxNotification struct {
	body   []byte
	header http.Header
}

func newWxNotification(id string, tx map[string]any, key *rsa.PrivateKey, at time.Time) wxNotification {
	return newWxNotice(id, "TRANSACTION.SUCCESS", "transaction", tx, key, at)
}

// newWxNotice is a notification of eventType whose resource (of
// originalType, which is also its associated data) is res.
func newWxNotice(id, eventType, originalType string, res map[string]any, key *rsa.PrivateKey, at time.Time) wxNotification {
	plain, _ := json.Marshal(res)
	block, _ := aes.NewCipher([]byte(wxAPIv3Key))
	gcm, _ := cipher.NewGCM(block)
	nonce := "n0n" + strconv.Itoa(int(at.UnixNano()%1e9))
	for len(nonce) < 12 {
		nonce += "x"
	}
	nonce = nonce[:12]
	ct := gcm.Seal(nil, []byte(nonce), plain, []byte(originalType))
	env := map[string]any{"id": id, "create_time": at.Format(time.RFC3339), "resource_type": "encrypt-resource",
		"event_type": eventType, "summary": eventType,
		"resource": map[string]any{"original_type": originalType, "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": base64.StdEncoding.EncodeToString(ct), "associated_data": originalType, "nonce": nonce}}
	body, _ := json.Marshal(env)
	n := wxNotification{body: body, header: http.Header{}}
	n.sign(key, at)
	return n
}

func (n *wxNotification) sign(key *rsa.PrivateKey, at time.Time) {
	ts, nonce := strconv.FormatInt(at.Unix(), 10), fmt.Sprintf("%x", at.UnixNano())
	n.header.Set("Wechatpay-Timestamp", ts)
	n.header.Set("Wechatpay-Nonce", nonce)
	n.header.Set("Wechatpay-Serial", wxPubKeyID)
	n.header.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+string(n.body)+"\n", key)
	if err != nil {
		panic(err)
	}
	n.header.Set("Wechatpay-Signature", sig)
}

// wxRefund is a refund notification's resource as WeChat Pay documents
// it: refund fen of the order's total, in refund_status status.
func wxRefund(tradeNo, refundNo, refundID, status string, refund, total int64) map[string]any {
	r := map[string]any{"mchid": wxMchID, "out_trade_no": tradeNo, "transaction_id": "4200000001",
		"out_refund_no": refundNo, "refund_id": refundID, "refund_status": status,
		"user_received_account": "支付用户零钱",
		"amount":                map[string]any{"total": total, "refund": refund, "payer_total": total, "payer_refund": refund}}
	if status == "SUCCESS" {
		r["success_time"] = time.Now().Format(time.RFC3339)
	}
	return r
}

// post delivers a notification to Lectern's endpoint for provider.
func (e *env) post(provider string, body []byte, h http.Header) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/billing/webhooks/"+provider, strings.NewReader(string(body)))
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
