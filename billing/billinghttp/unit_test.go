package billinghttp

import "testing"

func TestPickLang(t *testing.T) {
	for h, want := range map[string]string{"": "en", "zh-CN,zh;q=0.9": "zh", "en-US,zh;q=0.5": "en",
		"fr, zh-Hans;q=0.8, en;q=0.7": "zh", "zh;q=0, en": "en", "de": "en"} {
		if got := pickLang(h); got != want {
			t.Errorf("pickLang(%q) = %s, want %s", h, got, want)
		}
	}
}
