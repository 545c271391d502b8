package app

import "context"

// wireStore opens the store and mounts the REST API. (Filled in when the
// store lands.)
func (a *App) wireStore(ctx context.Context) error { return nil }
