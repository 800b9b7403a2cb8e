package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"quorum/actions"
)

// remindersCmd queues, once, the reminders and weekly digests due now: for a cron job, or
// to see what `quorum serve` would queue at its next tick.
func remindersCmd(ctx context.Context, e env, args []string) error {
	fs := newFlags("reminders", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	base := fs.String("base-url", "", "start of the links in mail, such as https://quorum.example.org")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	a.actions.MailBase = strings.TrimSuffix(*base, "/")
	n, err := a.actions.QueueReminders(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("reminders: %w", err)
	}
	fmt.Fprintf(e.stdout, "queued %d messages in the outbox\n", n)
	return nil
}

// ReminderInterval is how often `quorum serve` looks for reminders and digests to queue.
const ReminderInterval = 10 * time.Minute

// runReminders queues reminders now and at every interval until ctx ends; a failed run is
// logged and tried again at the next tick.
func runReminders(ctx context.Context, s *actions.Store, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if n, err := s.QueueReminders(ctx, time.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("reminders", "err", err)
		} else if n > 0 {
			log.Info("reminders", "queued", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
