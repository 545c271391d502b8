package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/token"
)

func init() {
	registerCommand("token", "issue a join token: lectern token create --lesson L --user U --name N --role R --ttl 1h", runToken)
}

func runToken(_ context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: lectern token create --lesson L --user U --name N --role teacher|assistant|student|observer [--ttl 1h]")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	lesson := fs.String("lesson", "", "lesson id")
	user := fs.String("user", "", "user id")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "student", "teacher, assistant, student or observer")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	publish := fs.String("publish", "", "override: true or false (default from the role)")
	if err := envFlags(fs, args[1:]); err != nil {
		return err
	}
	r := token.Role(*role)
	if !r.Valid() {
		return fmt.Errorf("unknown role %q", *role)
	}
	signer, err := signerFor(cf)
	if err != nil {
		return err
	}
	perms := token.DefaultPermissions(r)
	switch *publish {
	case "true":
		perms.Publish = true
	case "false":
		perms.Publish = false
	case "":
	default:
		return fmt.Errorf("--publish takes true or false")
	}
	if *name == "" {
		*name = *user
	}
	tok, err := signer.Issue(token.Claims{Lesson: *lesson, User: *user, Name: *name, Role: r, Permissions: perms, Operator: true}, *ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

func signerFor(cf commonFlags) (*token.Signer, error) {
	secret, err := app.SecretFor(cf.dataDir, cf.secret)
	if err != nil {
		return nil, err
	}
	return token.NewSigner(secret)
}
