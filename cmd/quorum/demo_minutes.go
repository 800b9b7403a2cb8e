package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"quorum/actions"
	"quorum/meetings"
)

// demoMinutes writes the minutes of the demo's past meetings, through the same save a
// clerk's goes through, so that minute numbers, references, carried-forward actions and
// approvals are real: the partnership's two oldest meetings approved (the second approving
// the first, the third the second), its latest meeting in draft with open actions (some
// overdue, one done, one carried forward twice), and the delivery group's last meeting
// circulated to its members.
func demoMinutes(ctx context.Context, a *app, board, group *meetings.Board) error {
	acts := actions.NewStore(a.db)
	all, err := a.meetings.AllMeetings(ctx, board.ID)
	if err != nil {
		return err
	}
	var held []meetings.Meeting
	for _, m := range all {
		if m.StartsAt.Before(time.Now()) {
			held = append(held, m)
		}
	}
	if len(held) < 3 {
		return fmt.Errorf("demo minutes: the partnership has %d past meetings, want 3", len(held))
	}
	m1, m2, m3 := held[len(held)-3], held[len(held)-2], held[len(held)-1]
	next, err := a.meetings.NextMeeting(ctx, board.ID, m3.StartsAt)
	if err != nil || next == nil {
		return fmt.Errorf("demo minutes: no meeting after %s: %v", m3.Title(), err)
	}

	// A substantive item on each past agenda, besides the standing ones.
	for _, it := range []struct {
		m                         meetings.Meeting
		title, purpose, presenter string
	}{
		{m1, "Community Safety Partnership Plan 2025–2028: annual refresh", "for decision", "Helen Ashworth, Assistant Director"},
		{m2, "Domestic abuse strategy: consultation draft", "for discussion", "Priya Natarajan, Community Safety Manager"},
		{m3, "Community impact days: Eastbrook and Millfield", "for noting", "Priya Natarajan, Community Safety Manager"},
	} {
		if err := a.meetings.AddItem(ctx, &meetings.AgendaItem{MeetingID: it.m.ID, Title: it.title, Purpose: it.purpose, Presenter: it.presenter}); err != nil {
			return err
		}
	}

	day := func(t time.Time) string { return t.In(meetings.London).Format("2 January 2006") }
	nextMonth := next.StartsAt.In(meetings.London).Format("January")

	// First meeting: approved, and signed.
	body1 := map[string]string{
		"welcome":      "The Chair welcomed partners, and in particular Kwame Mensah, who had joined Northvale Fire and Rescue Service as Borough Fire Commander.",
		"declarations": "There were no declarations of interest.",
		"minutes":      "The minutes of the previous meeting had been agreed by correspondence over the summer.",
		"Violence Reduction Action Plan": `The Vice-Chair gave a verbal update on the Violence Reduction Action Plan. The regional Violence
Reduction Unit had asked every borough to refresh its plan against the new template, which had seven
themes, each with mandatory and optional actions, a named lead and a RAG status.

RESOLVED that the update be noted.

- ACTION @HA: disseminate the refreshed Violence Reduction Action Plan to the Board (by next meeting)`,
		"Crime performance dashboard": `Supt Daniel Reyes presented the dashboard. Residential burglary had fallen for a third quarter; knife
crime had risen in two wards, both near the town centre’s late-night economy.

Partners asked for the knife crime figures by ward, so that the youth service could plan its detached work.

RESOLVED that the update from the police be noted.

ACTION @DR, @police: share the quarterly knife crime figures by ward with partners (by next meeting)`,
		"Community Safety Partnership Plan": fmt.Sprintf(`The Vice-Chair presented the annual refresh of the plan. The four priorities were unchanged; the
measures for anti-social behaviour now used the new case management system’s figures.

RESOLVED that

1. the refreshed Community Safety Partnership Plan be endorsed and recommended to Full Council; and
2. each partner organisation nominate a lead officer for the community impact days.

ACTION @partners: nominate a lead officer for the community impact days (by %s)`, day(m1.StartsAt.AddDate(0, 0, 30))),
		"aob": "There was no other business.",
	}
	if err := demoSave(ctx, a, m1, body1, nil, "11.40 am"); err != nil {
		return err
	}
	if err := a.minutes.Approve(ctx, m1.ID, m2.ID); err != nil {
		return err
	}
	if err := a.minutes.Sign(ctx, m1.ID, "Cllr Margaret Okafor"); err != nil {
		return err
	}

	// Between the meetings: the plan was disseminated, the police figures were not.
	done, err := acts.ActionByRef(ctx, refOn(ctx, a, m1.ID, "disseminate"))
	if err != nil {
		return err
	}
	if err := acts.Complete(ctx, done.ID, "The refreshed plan was sent to every member of the Board by email.", 0, ""); err != nil {
		return err
	}
	figures, err := acts.ActionByRef(ctx, refOn(ctx, a, m1.ID, "knife crime"))
	if err != nil {
		return err
	}
	if _, err := acts.AddUpdate(ctx, figures.ID, "The figures are being checked by the force’s analysts before they are shared."); err != nil {
		return err
	}

	// Second meeting: approves the first; approved at the third.
	body2 := map[string]string{
		"welcome":      "The Chair welcomed partners to the meeting.",
		"declarations": "Joseph Adeyemi declared an interest in item 7 as Northvale Voluntary Action delivers the domestic abuse helpline under contract to the Council.",
		"minutes":      "Partners agreed that the minutes were a correct record. The Chair thanked the Vice-Chair for circulating the refreshed plan.",
		"Violence Reduction Action Plan": fmt.Sprintf(`The Vice-Chair reported that the Violence Reduction Unit had visited on the planned date and praised
the plan’s work with schools. The unit would fund two more youth workers for the summer.

RESOLVED that the update be noted.

ACTION @GL: report on the summer youth work funded by the Violence Reduction Unit (by the %s meeting)`, nextMonth),
		"Crime performance dashboard": `Supt Daniel Reyes presented the dashboard. Anti-social behaviour reports had risen by 12% over the
summer, mostly in the parks; the fire service reported fewer deliberate fires.

RESOLVED that the update from the police be noted.

ACTION @KM: report on the take-up of home fire safety visits offered at the impact days (by next meeting)`,
		"Domestic abuse strategy": fmt.Sprintf(`The Community Safety Manager presented the consultation draft of the domestic abuse strategy,
“Everyone’s Business”. Partners welcomed the focus on older victims and asked that the consultation reach
faith groups and the voluntary sector.

RESOLVED that the consultation draft be noted, and that partners send their comments by the end of the consultation.

ACTION @PN: circulate the consultation draft of the domestic abuse strategy to faith and voluntary groups (by %s)`, day(m2.StartsAt.AddDate(0, 0, 30))),
		"aob": "The Chair reminded partners of the budget of £4,500 for test purchasing, agreed at the last meeting.",
	}
	updates2 := map[string]string{
		"nominate": "Four partners have nominated a lead officer; probation and health are still to do so.",
		"knife":    "The police reported that the figures were with their analysts; carried forward.",
	}
	if err := demoSave(ctx, a, m2, body2, updates2, "11.55 am"); err != nil {
		return err
	}
	if err := a.minutes.Approve(ctx, m2.ID, m3.ID); err != nil {
		return err
	}

	// Latest meeting: draft minutes with new actions; open ones carried forward again.
	body3 := map[string]string{
		"welcome":      "The Chair welcomed partners, and Insp Sarah Whitfield, who attended for Supt Daniel Reyes.",
		"declarations": "There were no declarations of interest.",
		"minutes":      "Partners agreed that the minutes were a correct record.",
		"Violence Reduction Action Plan": fmt.Sprintf(`The Vice-Chair reported that the refreshed plan’s first quarter was on track: five of the seven
themes were green, one amber (information sharing) and one red (the exploitation panel, which still
lacked a health representative).

RESOLVED that the update be noted.

ACTION @AG: confirm the Integrated Care Board’s representative on the exploitation panel (by %s)`, day(m3.StartsAt.AddDate(0, 0, 7))),
		"Crime performance dashboard": `Insp Sarah Whitfield presented the dashboard. Knife crime in the two town centre wards had fallen
since the summer’s joint patrols. The ward figures asked for at the meeting before last were still to come.

RESOLVED that the update from the police be noted.`,
		"Community impact days": fmt.Sprintf(`The Community Safety Manager reported on the impact days in Eastbrook and Millfield: 19 agencies
took part, 240 homes were visited and £1,850 of unsafe goods were removed from sale.

| Day | Agencies | Homes visited |
| --- | --- | --- |
| Eastbrook | 11 | 130 |
| Millfield | 8 | 110 |

RESOLVED that the briefing be noted, and that the Chair write to the Police and Crime Commissioner
about funding for the days next year.

ACTION @chair: write to the Police and Crime Commissioner about funding for next year’s impact days (by %s)

> Post-meeting note: the Commissioner’s office has asked for the partnership’s figures by the end of the month.`, day(m3.StartsAt.AddDate(0, 0, 5))),
		"aob": "There was no other business.",
	}
	updates3 := map[string]string{
		"knife":        "Not yet shared: the force’s analysts have been asked again. Carried forward.",
		"nominate":     "Probation has now nominated; the Integrated Care Board has still to do so.",
		"fire safety":  "68 visits were booked at the two impact days; a written report will follow.",
		"consultation": "Circulated to faith groups; the voluntary sector forum meets next month.",
		"summer youth": "Not yet due.",
	}
	if err := demoSave(ctx, a, m3, body3, updates3, "11.50 am"); err != nil {
		return err
	}

	// The delivery group's last meeting: circulated to its members as a draft.
	gms, err := a.meetings.AllMeetings(ctx, group.ID)
	if err != nil {
		return err
	}
	for _, g := range gms {
		if !g.StartsAt.Before(time.Now()) {
			continue
		}
		gbody := map[string]string{
			"welcome":      "The Chair welcomed members to the delivery group.",
			"declarations": "There were no declarations of interest.",
			"minutes":      "This was the group’s first meeting.",
			"aob": `Insp Sarah Whitfield described the joint patrols planned with the youth service in the town centre.

RESOLVED that the patrols be reported to the Partnership.

ACTION @SW: send the patrol plan to the group (by next meeting)`,
		}
		if err := demoSave(ctx, a, g, gbody, nil, "3.20 pm"); err != nil {
			return err
		}
		if err := a.minutes.SendToChair(ctx, g.ID); err != nil {
			return err
		}
		if err := a.minutes.Circulate(ctx, g.ID); err != nil {
			return err
		}
	}
	return nil
}

// demoSave fills the pre-filled draft of a meeting's minutes and saves it: body gives the
// text under an item, by its standard key or a word of its title; updates the update of
// each open action, by a word of its text.
func demoSave(ctx context.Context, a *app, m meetings.Meeting, body, updates map[string]string, ended string) error {
	draft, err := a.minutes.Draft(ctx, m.ID)
	if err != nil {
		return err
	}
	full, err := a.meetings.Meeting(ctx, m.ID)
	if err != nil {
		return err
	}
	text := string(draft)
	for _, it := range full.Items {
		var add string
		for key, b := range body {
			if key == it.StandardKey || strings.Contains(it.Title, key) {
				add = b
			}
		}
		if add == "" {
			continue
		}
		heading := fmt.Sprintf("## %s. %s\n\n", it.Number, it.Title)
		text = strings.Replace(text, heading, heading+add+"\n\n", 1)
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "- **") && strings.HasSuffix(l, " Update: ") {
			for word, u := range updates {
				if strings.Contains(l, word) {
					l += u
				}
			}
		}
		lines = append(lines, l)
	}
	text = strings.Join(lines, "\n")
	text = strings.Replace(text, `ended: ""`, fmt.Sprintf("ended: %q", ended), 1)
	text = strings.Replace(text, "The meeting ended at …", "The meeting ended at "+ended+".", 1)
	if _, err := a.minutes.Save(ctx, m.ID, []byte(text)); err != nil {
		return fmt.Errorf("demo minutes of %s: %w", m.Title(), err)
	}
	return nil
}

var refRe = regexp.MustCompile(`ACTION ([A-Z]+/\d+/\d+) `)

// refOn finds the reference Quorum gave the action whose line holds word.
func refOn(ctx context.Context, a *app, meetingID int64, word string) string {
	m, err := a.minutes.Minutes(ctx, meetingID)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(m.Text, "\n") {
		if strings.Contains(l, word) {
			if r := refRe.FindStringSubmatch(l); r != nil {
				return r[1]
			}
		}
	}
	return ""
}
