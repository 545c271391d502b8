package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/lectern/lectern/store"
)

func init() {
	registerCommand("migrate", "apply database migrations (serve also does this at start)", runMigrate)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := envFlags(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if cf.databaseURL == "" {
		// A running server holds the data directory; it migrates at start.
		release, err := store.LockDataDir(cf.dataDir)
		if err != nil {
			return err
		}
		defer release()
	}
	st, applied, err := openStore(ctx, cf, log)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%s database at schema version %d; applied %d migration(s) %v\n", st.Backend(), v, len(applied), applied)
	return nil
}

// openStore opens and migrates the store the common flags name, returning
// the migrations it applied.
func openStore(ctx context.Context, cf commonFlags, log *slog.Logger) (*store.Store, []int64, error) {
	st, err := store.Open(ctx, store.Config{DataDir: cf.dataDir, DatabaseURL: cf.databaseURL, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, applied, nil
}
