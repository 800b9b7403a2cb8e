package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"

	"quorum/internal/auth"
	"quorum/internal/errs"
)

func userCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: quorum user add -email E -name N -role admin|clerk [-password-stdin]")
	}
	fs := newFlags("user add", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	email := fs.String("email", "", "email address (the login)")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "clerk", "admin, clerk or user")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := parseFlags(fs, e, args[1:]); err != nil {
		return err
	}
	password := ""
	if *fromStdin {
		sc := bufio.NewScanner(e.stdin)
		if sc.Scan() {
			password = sc.Text()
		}
	} else {
		password = auth.NewPassword()
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	u := &auth.User{Email: *email, Name: *name, Role: *role}
	if err := a.users.CreateUser(ctx, u, password); err != nil {
		return errors.New(errs.Message(err))
	}
	fmt.Fprintf(e.stdout, "created %s account %d for %s\n", u.Role, u.ID, u.Email)
	if !*fromStdin {
		fmt.Fprintf(e.stdout, "password: %s\n", password)
	}
	return nil
}

func tokenCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: quorum token create -email E")
	}
	fs := newFlags("token create", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	email := fs.String("email", "", "the account's email address")
	if err := parseFlags(fs, e, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.users.UserByEmail(ctx, *email)
	if err != nil {
		return errors.New(errs.Message(err))
	}
	tok, err := a.users.CreateToken(ctx, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}
