package e2e

import (
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserLanguageSwitch: a browser whose languages start with zh gets
// Simplified Chinese; the switch changes to English and back, and the
// choice survives a reload.
func TestBrowserLanguageSwitch(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	tok := srv.token(t, lesson, "u-student", "王同学", token.RoleStudent)

	res := runScript(t, 90*time.Second, "i18n", srv.lessonURL(lesson, tok))
	want := map[string]map[string]string{
		"initial":     {"lang": "zh-CN", "leave": "离开", "tab": "成员", "switchValue": "zh-CN"},
		"english":     {"lang": "en", "leave": "Leave", "tab": "People", "switchValue": "en"},
		"afterReload": {"lang": "en", "leave": "Leave", "tab": "People", "switchValue": "en"},
		"chinese":     {"lang": "zh-CN", "leave": "离开", "tab": "成员", "switchValue": "zh-CN"},
	}
	for step, fields := range want {
		got, _ := res[step].(map[string]any)
		for k, v := range fields {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %q", step, k, got[k], v)
			}
		}
	}
}
