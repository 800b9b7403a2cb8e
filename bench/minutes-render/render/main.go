// Command render writes the minutes PDF for a markdown file, as `quorum minutes render` does:
// the benchmark uses it until that subcommand exists.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"quorum/minutes"
)

func main() {
	out := flag.String("o", "", "the PDF to write")
	args := os.Args[1:]
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		args = append(args[1:], args[0]) // IN.md -o OUT.pdf, as quorum takes it
	}
	_ = flag.CommandLine.Parse(args)
	if flag.NArg() != 1 || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: render IN.md -o OUT.pdf")
		os.Exit(2)
	}
	src, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var buf bytes.Buffer
	if err := minutes.RenderPDF(&buf, src); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
