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
	at := fs.String("now", "", "queue what is due at this time (RFC 3339, such as 2026-12-09T12:00:00Z) rather than now")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("reminders: -now %q is not a time such as 2026-12-09T12:00:00Z", *at)
		}
		now = t
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	a.actions.MailBase = strings.TrimSuffix(*base, "/")
	n, err := queueDue(ctx, a.actions, now)
	if err != nil {
		return fmt.Errorf("reminders: %w", err)
	}
	fmt.Fprintf(e.stdout, "queued %d messages in the outbox\n", n)
	return nil
}

// PlanDeadlineDays is how long before a plan's submission deadline its signatories who
// have not signed are reminded.
const PlanDeadlineDays = 14

// queueDue queues the action reminders and digests due now and the reminders of plans'
// submission deadlines. Each message's outbox key is unique (the plan reminders' name the
// plan, its deadline and the signatory), so running it every tick, or from cron as well,
// never queues one twice.
func queueDue(ctx context.Context, s *actions.Store, now time.Time) (int, error) {
	n, err := s.QueueReminders(ctx, now)
	if err != nil {
		return n, err
	}
	m, err := s.PlanDeadlineReminders(ctx, now, PlanDeadlineDays, s.MailBase, 0)
	if err != nil {
		return n, fmt.Errorf("plan deadline reminders: %w", err)
	}
	return n + m, nil
}

// ReminderInterval is how often `quorum serve` looks for reminders and digests to queue.
const ReminderInterval = 10 * time.Minute

// runReminders queues reminders now and at every interval until ctx ends; a failed run is
// logged and tried again at the next tick.
func runReminders(ctx context.Context, s *actions.Store, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if n, err := queueDue(ctx, s, time.Now()); err != nil {
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
