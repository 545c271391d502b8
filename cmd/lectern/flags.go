package main

import (
	"flag"
	"os"
	"strings"
)

// envFlags applies LECTERN_<NAME> environment variables to every flag of fs
// not given on the command line (flag "data-dir" ← LECTERN_DATA_DIR).
func envFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		key := "LECTERN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(key); ok {
			err = fs.Set(f.Name, v)
		}
	})
	return err
}

// commonFlags are shared by the commands that open the data directory.
type commonFlags struct {
	dataDir     string
	databaseURL string
	secret      string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dataDir, "data-dir", "data", "directory for the embedded database, the secret and recordings")
	fs.StringVar(&c.databaseURL, "database-url", "", "PostgreSQL URL (postgres://...); empty: the embedded SQLite store in --data-dir")
	fs.StringVar(&c.secret, "secret", "", "server secret for join tokens (hex or ≥32 bytes); empty: generated and kept in --data-dir/secret")
}

// flagGiven reports whether the flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
