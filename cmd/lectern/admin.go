package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
)

func init() {
	registerCommand("admin", "manage administrators: lectern admin create --email E [--name N] [--password-stdin]", runAdmin)
}

func runAdmin(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(os.Stderr, "usage: lectern admin create --email E [--name N] [--password-stdin | --password-file F]")
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	email := fs.String("email", "", "the administrator's email (required)")
	name := fs.String("name", "Administrator", "display name of a new account")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	fromFile := fs.String("password-file", "", "read the password from the first line of this file")
	if err := envFlags(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("admin create: --email is required")
	}
	password, generated, err := adminPassword(*fromStdin, *fromFile)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, _, err := openStore(ctx, cf, log)
	if err != nil {
		return err
	}
	defer st.Close()
	acc, created, err := api.EnsureAdmin(ctx, st, *email, password, *name, classroom.Argon2Params{}, time.Now())
	if err != nil {
		return fmt.Errorf("admin create: %w", err)
	}
	switch {
	case !created:
		fmt.Printf("%s already had an account; it is now an administrator and teacher (password unchanged)\n", acc.Email)
	case generated:
		fmt.Printf("created administrator %s\npassword: %s\n(shown once; change it after signing in)\n", acc.Email, password)
	default:
		fmt.Printf("created administrator %s\n", acc.Email)
	}
	return nil
}

// adminPassword reads the password as asked, or generates one.
func adminPassword(fromStdin bool, file string) (pw string, generated bool, err error) {
	var r io.Reader
	switch {
	case fromStdin && file != "":
		return "", false, errors.New("admin create: give --password-stdin or --password-file, not both")
	case fromStdin:
		r = os.Stdin
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", false, err
		}
		defer f.Close()
		r = f
	default:
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return "", false, err
		}
		return base64.RawURLEncoding.EncodeToString(b), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}
