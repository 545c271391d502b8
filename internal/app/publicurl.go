package app

import "cmp"

// linkBase is the public URL for links made outside any request (a request
// carries its own, see internal/publicurl): --public-url, else the
// fallback.
func (a *App) linkBase() string {
	return cmp.Or(a.urls.Fixed(), a.cfg.FallbackURL, "http://localhost")
}

// PublicURL is the configured public URL, or the fallback when links are
// derived from each request.
func (a *App) PublicURL() string { return a.linkBase() }
