package billinghttp

import (
	"strings"
	"testing"
)

func TestPickLang(t *testing.T) {
	for h, want := range map[string]string{"": "en", "zh-CN,zh;q=0.9": "zh", "en-US,zh;q=0.5": "en",
		"fr, zh-Hans;q=0.8, en;q=0.7": "zh", "zh;q=0, en": "en", "de": "en"} {
		if got := pickLang(h); got != want {
			t.Errorf("pickLang(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestQRSVG(t *testing.T) {
	svg, err := QRSVG("weixin://wxpay/bizpayurl?pr=0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	// Version 4 (33 modules: 62 bytes at level M) and a 4-module quiet zone.
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 41 41"`) ||
		strings.Count(svg, "h1v1h-1z") < 200 {
		t.Fatalf("svg: %.200s… (%d modules)", svg, strings.Count(svg, "h1v1h-1z"))
	}
}
