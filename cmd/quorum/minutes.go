package main

import (
	"context"
	"errors"
)

func minutesCmd(ctx context.Context, e env, args []string) error {
	return errors.New("usage: quorum minutes parse IN.md | quorum minutes render IN.md -o OUT.pdf")
}
