package peer

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// PostSDP POSTs an SDP offer to a WHIP or WHEP url with client, tok as
// its Bearer token and header's fields added, and returns the response
// and its body, read and closed.
func PostSDP(ctx context.Context, client *http.Client, url, tok, sdp string, header http.Header) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(sdp))
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}
