package billing

import (
	"context"
	"strings"
)

// BaseURL is Lectern's public origin, without a trailing slash.
func (s *Service) BaseURL() string { return s.baseURL }

// WeChatOpenID is account's openid for WeChat AppID appID, as WeChat's
// OAuth gave it; ErrNotFound when it has none yet.
func (s *Service) WeChatOpenID(ctx context.Context, accountID, appID string) (string, error) {
	return s.store.WeChatOpenID(ctx, accountID, appID)
}

// SetWeChatOpenID records the openid WeChat's OAuth gave for account and
// appID (the latest wins: an account may pay from another WeChat user).
func (s *Service) SetWeChatOpenID(ctx context.Context, accountID, appID, openID string) error {
	if !ValidOpenID(openID) {
		return Invalid("openid", "is not an openid")
	}
	now := s.clock()
	return s.store.BillingTx(ctx, func(tx Tx) error { return tx.PutWeChatOpenID(ctx, accountID, appID, openID, now) })
}

// ValidOpenID reports whether id can be a WeChat openid: 1 to 128
// printable ASCII characters (WeChat's are 28).
func ValidOpenID(id string) bool {
	return id != "" && len(id) <= 128 && !strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' })
}
