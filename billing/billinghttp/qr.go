package billinghttp

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	qrcode "github.com/skip2/go-qrcode"
)

// QRSVG draws content as a QR code (error correction M, quiet zone
// included) in SVG, one path of unit squares scaled by the viewBox.
func QRSVG(content string) (string, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", err
	}
	bm := q.Bitmap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, len(bm), len(bm))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, len(bm), len(bm))
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

// buyersOrder is the order named in r's path if c bought it (another's
// is not found).
func (h *HTTP) buyersOrder(r *http.Request, c *api.Caller) (billing.Order, error) {
	id, err := pathID(r)
	if err != nil {
		return billing.Order{}, err
	}
	o, err := h.svc.Store().Order(r.Context(), id)
	if err == nil && o.AccountID != c.Account.ID {
		err = classroom.ErrNotFound
	}
	return o, err
}

// orderQR serves GET /api/v1/orders/{id}/qr.svg: the buyer's pending
// QR-code checkout (WeChat Pay Native's code_url) as an SVG image, so the
// page shows the code without a script library.
func (h *HTTP) orderQR(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	o, err := h.buyersOrder(r, c)
	if err != nil {
		return err
	}
	if o.Status != billing.StatusPending || o.Method != "native" || o.CheckoutURL == "" {
		return billing.ErrOrderState
	}
	svg, err := QRSVG(o.CheckoutURL)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "image/svg+xml")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, err = w.Write([]byte(svg))
	return err
}
