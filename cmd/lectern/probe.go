package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

func init() {
	registerCommand("probe", "GET a URL and fail unless it answers 2xx (container health checks: lectern probe http://127.0.0.1:8080/readyz)", runProbe)
}

func runProbe(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: lectern probe URL")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", args[0], resp.Status)
	}
	return nil
}
