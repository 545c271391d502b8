package store

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lectern/lectern/internal/testenv"
)

// TestStoreDependencies: store depends on the domain types it stores,
// never on the HTTP layer, a payment provider's SDK, mail or templates
// (billing's handlers and providers live in its subpackages).
func TestStoreDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	testenv.Require(t, "the go command", err)
	out, err := exec.Command(goTool, "list", "-deps", "github.com/lectern/lectern/store").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		deps[d] = true
	}
	if !deps["github.com/lectern/lectern/billing"] {
		t.Fatalf("go list -deps ./store does not list billing; the check below would prove nothing:\n%s", out)
	}
	for _, bad := range []string{"github.com/lectern/lectern/api", "net/smtp", "html/template",
		"github.com/stripe/stripe-go/v82", "github.com/wechatpay-apiv3/wechatpay-go/core",
		"github.com/smartwalle/alipay/v3", "github.com/lectern/lectern/billing/billinghttp"} {
		if deps[bad] {
			t.Errorf("store depends on %s", bad)
		}
	}
}
