// Command quorum is the one binary: it serves the site, migrates and backs up the
// database, manages accounts, loads demo data, and parses and renders minutes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // Europe/London without the host's zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout)
	stop()
	var ec exitCode
	if errors.As(err, &ec) {
		os.Exit(int(ec))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quorum:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// env is what every command reads besides its flags.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCmd(ctx, e, args)
	case "migrate":
		return migrateCmd(ctx, e, args)
	case "demo":
		return demoCmd(ctx, e, args)
	case "backup":
		return backupCmd(ctx, e, args)
	case "reminders":
		return remindersCmd(ctx, e, args)
	case "user":
		return userCmd(ctx, e, args)
	case "token":
		return tokenCmd(ctx, e, args)
	case "minutes":
		return minutesCmd(ctx, e, args)
	case "pack":
		return packCmd(ctx, e, args)
	case "audit":
		return auditCmd(ctx, e, args)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: quorum [command] [flags]

  serve     serve the site (the default)
  migrate   apply database migrations
  demo      load the fictional demo partnership
  backup    write a consistent copy of the database: backup -o FILE
  reminders queue the reminders and weekly digests due now: reminders [-db F] [-base-url URL]
  user add  create an account: user add -email E -name N -role admin|clerk [-password-stdin]
  token create  print an API token: token create -email E
  minutes parse IN.md [-board SHORT]   print the parsed minutes as JSON
  minutes render IN.md -o OUT.pdf      render minutes to PDF
  pack build -meeting ID -o OUT.pdf [-restricted]   build a meeting's agenda pack
  audit verify [-db F]  check the audit log's hash chain; exit 1 at the first entry changed or deleted
`

// newFlags makes a flag set whose flags also read QUORUM_* environment variables.
func newFlags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	return fs
}

// parseFlags parses args; a flag not given takes QUORUM_<NAME> from the environment.
func parseFlags(fs *flag.FlagSet, e env, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		key := "QUORUM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := e.getenv(key); v != "" {
			if e2 := fs.Set(f.Name, v); e2 != nil && err == nil {
				err = fmt.Errorf("%s: %w", key, e2)
			}
		}
	})
	return err
}
