package minutes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"quorum/actions"
	"quorum/meetings"
)

// Draft is the text a clerk starts the minutes of a meeting from: front matter with who
// was there (from the attendance record), every agenda item as a heading with its minute
// number once it has one, and under "Minutes of the last meeting and matters arising"
// every open action of the board, those due at this meeting first, ready for an update
// each. The open actions are listed, not written as ACTION lines, which would set them
// again as new actions of this meeting.
func (s *Store) Draft(ctx context.Context, meetingID int64) ([]byte, error) {
	m, err := s.meetings.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	open, err := s.actions.OpenForMeeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	all, err := s.meetings.AllMeetings(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	var prev, next *meetings.Meeting
	for i := range all {
		x := &all[i]
		if x.Status == meetings.StatusCancelled || x.ID == m.ID {
			continue
		}
		if x.StartsAt.Before(m.StartsAt) {
			prev = x
		} else if x.StartsAt.After(m.StartsAt) && next == nil {
			next = x
		}
	}
	prevApproved := false
	if prev != nil {
		if pm, err := s.Minutes(ctx, prev.ID); err == nil && Final(pm.Status) && pm.ApprovedAtMeetingID != m.ID {
			prevApproved = true
		}
	}

	var b strings.Builder
	writeFrontMatter(&b, m)
	for _, it := range m.Items {
		level := "##"
		if _, sub := splitItemNumber(it.Number); sub != "" {
			level = "###"
		}
		fmt.Fprintf(&b, "\n%s %s. %s", level, it.Number, oneLine(it.Title))
		if it.MinuteNumber != "" && validMinuteNumber(it.MinuteNumber) {
			fmt.Fprintf(&b, " {#%s}", it.MinuteNumber)
		}
		b.WriteString("\n\n")
		switch it.StandardKey {
		case "apologies":
			writeApologies(&b, m.Attendance)
		case "minutes":
			if prev != nil && !prevApproved {
				fmt.Fprintf(&b, "RESOLVED that the minutes of the meeting held on %s be approved as a correct record.\n\n", ukDay(prev.StartsAt))
			}
			writeOpenActions(&b, open, m)
		case "next_meeting":
			if next != nil {
				fmt.Fprintf(&b, "The next meeting will be held at %s on %s.\n\n", ukClock(next.StartsAt), ukDay(next.StartsAt))
			} else {
				b.WriteString("The date of the next meeting is to be confirmed.\n\n")
			}
		}
		if it.Exempt {
			fmt.Fprintf(&b, "This item was considered in private (%s).\n\n", oneLine(it.ExemptReason))
		}
	}
	b.WriteString("\n## Close of meeting\n\nThe meeting ended at …\n")
	return []byte(b.String()), nil
}

// writeFrontMatter writes the YAML block INTERFACE.md fixes for rendering without a
// database. Every value is a double-quoted string, so no name can break the YAML.
func writeFrontMatter(b *strings.Builder, m *meetings.Meeting) {
	b.WriteString("---\n")
	fmt.Fprintf(b, "board: %s\n", yamlString(m.BoardName))
	fmt.Fprintf(b, "meeting: %s\n", m.StartsAt.In(meetings.London).Format("2006-01-02T15:04"))
	place := m.Place
	if m.Mode == meetings.ModeVirtual && place == "" {
		place = "Virtual meeting"
	}
	fmt.Fprintf(b, "place: %s\n", yamlString(place))
	b.WriteString("status: draft\n")
	for _, list := range []struct{ key, status string }{
		{"present", meetings.Present}, {"also_present", meetings.AlsoPresent}, {"apologies", meetings.Apologies},
	} {
		var people []meetings.Attendance
		for _, a := range m.Attendance {
			if a.Status == list.status {
				people = append(people, a)
			}
		}
		if len(people) == 0 {
			fmt.Fprintf(b, "%s: []\n", list.key)
			continue
		}
		fmt.Fprintf(b, "%s:\n", list.key)
		for _, a := range people {
			fmt.Fprintf(b, "  - {name: %s", yamlString(a.Name))
			if a.Role != "" {
				fmt.Fprintf(b, ", role: %s", yamlString(a.Role))
			}
			if org := organisationLine(a); org != "" {
				fmt.Fprintf(b, ", organisation: %s", yamlString(org))
			}
			if a.SubstituteForName != "" {
				fmt.Fprintf(b, ", substituting_for: %s", yamlString(a.SubstituteForName))
			}
			b.WriteString("}\n")
		}
	}
	b.WriteString("ended: \"\"\n---\n")
}

// organisationLine is "Northvale Police (Borough Commander)", as minutes list members.
func organisationLine(a meetings.Attendance) string {
	switch {
	case a.OrganisationName != "" && a.JobTitle != "":
		return a.OrganisationName + " (" + a.JobTitle + ")"
	case a.OrganisationName != "":
		return a.OrganisationName
	}
	return a.JobTitle
}

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string { return strconv.Quote(oneLine(s)) }

// oneLine folds line breaks, which would end a heading or a list entry, into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func writeApologies(b *strings.Builder, att []meetings.Attendance) {
	var names, subs []string
	for _, a := range att {
		if a.Status == meetings.Apologies {
			names = append(names, a.Name)
		}
		if a.SubstituteForName != "" && a.Status == meetings.Present {
			subs = append(subs, fmt.Sprintf("%s attended as substitute for %s.", a.Name, a.SubstituteForName))
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(b, "Apologies for absence were received from %s.", andList(names))
		if len(subs) > 0 {
			b.WriteString(" " + strings.Join(subs, " "))
		}
		b.WriteString("\n\n")
	} else if len(subs) > 0 {
		b.WriteString(strings.Join(subs, " ") + "\n\n")
	}
}

// andList is "A, B and C".
func andList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// writeOpenActions lists the board's open actions for an update line each.
func writeOpenActions(b *strings.Builder, open []actions.Action, m *meetings.Meeting) {
	if len(open) == 0 {
		b.WriteString("There were no outstanding actions from previous meetings.\n\n")
		return
	}
	b.WriteString("Outstanding actions from previous meetings (write an update after each; an action done at the meeting is marked done in the action log):\n\n")
	for _, a := range open {
		fmt.Fprintf(b, "- **%s** (%s", a.Ref, a.OwnerLabels())
		switch {
		case a.MinuteNumber != "":
			fmt.Fprintf(b, ", minute %s", a.MinuteNumber)
		case !a.MeetingStartsAt.IsZero():
			fmt.Fprintf(b, ", meeting of %s", ukDay(a.MeetingStartsAt))
		}
		fmt.Fprintf(b, "): %s — %s.", escapeInline(oneLine(a.Text)), dueWords(a, m))
		if a.CarriedForward > 0 {
			fmt.Fprintf(b, " Carried forward %s.", times(a.CarriedForward))
		}
		if u := a.LatestUpdate; u != nil {
			fmt.Fprintf(b, " Latest update (%s): %s", ukDay(u.CreatedAt), escapeInline(oneLine(u.Text)))
			if !strings.HasSuffix(u.Text, ".") {
				b.WriteString(".")
			}
		}
		b.WriteString(" Update: \n")
	}
	b.WriteString("\n")
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.Itoa(n) + " times"
}

// dueWords says when an action falls due, from the point of view of meeting m.
func dueWords(a actions.Action, m *meetings.Meeting) string {
	var due string
	switch {
	case a.DueAtMeeting && a.Due.MeetingID == m.ID:
		return "due at this meeting"
	case a.Due.Date != "":
		t, _ := time.ParseInLocation(time.DateOnly, a.Due.Date, meetings.London)
		due = "due by " + t.Format("2 January 2006")
	case a.Due.MeetingID != 0 && !a.Due.MeetingStartsAt.IsZero():
		due = "due at the meeting of " + ukDay(a.Due.MeetingStartsAt)
	case a.Due.Next:
		due = "due at the next meeting"
	default:
		return "no due date"
	}
	if a.DueAtMeeting {
		return "overdue (" + due + ")"
	}
	return due
}

// escapeInline keeps text that came from elsewhere from reading as markdown or as one of
// the dialect's lines.
func escapeInline(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "<", `\<`, "{#", `{\#`).Replace(s)
}

func ukDay(t time.Time) string { return t.In(meetings.London).Format("2 January 2006") }

// ukClock is a time as minutes give it: "10.00 am".
func ukClock(t time.Time) string { return t.In(meetings.London).Format("3.04 pm") }
