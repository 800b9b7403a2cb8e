package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/meetings"
)

// demoPassword signs in every demo account. The demo is for trying Quorum on one's own
// machine; `quorum serve -demo=false` starts without it.
const demoPassword = "northvale-demo"

func demoCmd(ctx context.Context, e env, args []string) error {
	fs := newFlags("demo", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	empty, err := a.empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("demo: %s already holds data; load the demo into a new database", *dbPath)
	}
	logins, err := loadDemo(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, logins)
	return nil
}

// demo is the fictional partnership, built through the stores as a clerk would.
type demo struct {
	ctx    context.Context
	a      *app
	orgs   map[string]int64
	people map[string]int64
	err    error
}

func (d *demo) org(name, handle, kind string) {
	if d.err != nil {
		return
	}
	o := &meetings.Organisation{Name: name, Handle: handle, Kind: kind, Partner: true}
	d.err = d.a.meetings.CreateOrganisation(d.ctx, o)
	d.orgs[handle] = o.ID
}

func (d *demo) person(key, name, title, org, email string) {
	if d.err != nil {
		return
	}
	p := &meetings.Person{Name: name, JobTitle: title, OrganisationID: d.orgs[org], Email: email}
	d.err = d.a.meetings.CreatePerson(d.ctx, p)
	d.people[key] = p.ID
}

func (d *demo) member(board int64, key, role, org string) {
	if d.err != nil {
		return
	}
	d.err = d.a.meetings.AddMember(d.ctx, &meetings.Membership{BoardID: board, PersonID: d.people[key], Role: role,
		OrganisationID: d.orgs[org], StartsOn: "2024-05-01"})
}

func (d *demo) account(key, email, name, role string) {
	if d.err != nil {
		return
	}
	d.err = d.a.users.CreateUser(d.ctx, &auth.User{Email: email, Name: name, Role: role, PersonID: d.people[key]}, demoPassword)
}

// londonAt is a day relative to today at a London clock time.
func londonAt(days int, clock string) time.Time {
	day := time.Now().In(meetings.London).AddDate(0, 0, days).Format("2006-01-02")
	t, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, meetings.London)
	return t
}

func loadDemo(ctx context.Context, a *app) (string, error) {
	ctx = audit.WithActor(ctx, audit.Actor{Name: "demo data"})
	d := &demo{ctx: ctx, a: a, orgs: map[string]int64{}, people: map[string]int64{}}
	d.org("Northvale Borough Council", "council", "council")
	d.org("Northvale Police", "police", "police")
	d.org("Northvale Fire and Rescue Service", "fire", "fire")
	d.org("Northvale Integrated Care Board", "health", "health")
	d.org("Probation Service (Northvale)", "probation", "probation")
	d.org("Northvale Voluntary Action", "nva", "voluntary")

	d.person("chair", "Cllr Margaret Okafor", "Portfolio Holder for Community Safety", "council", "chair@northvale.example")
	d.person("vice", "Helen Ashworth", "Assistant Director, Public Protection", "council", "helen.ashworth@northvale.example")
	d.person("clerk", "Tom Brennan", "Democratic Services Officer", "council", "clerk@northvale.example")
	d.person("csm", "Priya Natarajan", "Community Safety Manager", "council", "priya.natarajan@northvale.example")
	d.person("yos", "Gareth Lloyd", "Head of Youth Justice Service", "council", "gareth.lloyd@northvale.example")
	d.person("supt", "Supt Daniel Reyes", "Borough Commander", "police", "daniel.reyes@northvale.example")
	d.person("insp", "Insp Sarah Whitfield", "Neighbourhoods Inspector", "police", "sarah.whitfield@northvale.example")
	d.person("fire", "Kwame Mensah", "Borough Fire Commander", "fire", "kwame.mensah@northvale.example")
	d.person("icb", "Dr Aoife Gallagher", "Director of Nursing and Safeguarding", "health", "aoife.gallagher@northvale.example")
	d.person("prob", "Linda Shaw", "Head of Probation Delivery Unit", "probation", "linda.shaw@northvale.example")
	d.person("nva", "Joseph Adeyemi", "Chief Executive", "nva", "joseph.adeyemi@northvale.example")
	d.person("asb", "Zoë Castell", "Anti-social Behaviour Lead", "council", "")
	d.person("admin", "Site Administrator", "", "council", "admin@northvale.example")
	if d.err != nil {
		return "", d.err
	}

	board := &meetings.Board{Name: "Northvale Safer Communities Partnership", ShortName: "NSCP", ClerkID: d.people["clerk"],
		Numbering: meetings.NumberYearly, YearStartMonth: 5, Public: true, DefaultStart: "10:00", DefaultMode: meetings.ModeHybrid,
		DefaultPlace: "Committee Room 2, Northvale Civic Centre", QuorumCount: 5,
		Description: "The statutory community safety partnership for the Borough of Northvale."}
	if err := a.meetings.CreateBoard(ctx, board); err != nil {
		return "", err
	}
	group := &meetings.Board{Name: "Serious Violence Delivery Group", ShortName: "SVDG", ParentID: board.ID, ClerkID: d.people["clerk"],
		Numbering: meetings.NumberContinuous, DefaultStart: "14:00", DefaultMode: meetings.ModeVirtual, DefaultPlace: "Microsoft Teams"}
	if err := a.meetings.CreateBoard(ctx, group); err != nil {
		return "", err
	}
	d.member(board.ID, "chair", "chair", "council")
	d.member(board.ID, "vice", "vice-chair", "council")
	d.member(board.ID, "clerk", "clerk", "council")
	d.member(board.ID, "csm", "member", "council")
	d.member(board.ID, "yos", "member", "council")
	d.member(board.ID, "supt", "member", "police")
	d.member(board.ID, "insp", "substitute", "police")
	d.member(board.ID, "fire", "member", "fire")
	d.member(board.ID, "icb", "member", "health")
	d.member(board.ID, "prob", "member", "probation")
	d.member(board.ID, "nva", "member", "nva")
	d.member(board.ID, "asb", "adviser", "council")
	d.member(group.ID, "vice", "chair", "council")
	d.member(group.ID, "csm", "member", "council")
	d.member(group.ID, "insp", "member", "police")
	d.member(group.ID, "yos", "member", "council")
	d.member(group.ID, "clerk", "clerk", "council")
	d.account("admin", "admin@northvale.example", "Site Administrator", auth.RoleAdmin)
	d.account("clerk", "clerk@northvale.example", "Tom Brennan", auth.RoleClerk)
	d.account("chair", "chair@northvale.example", "Cllr Margaret Okafor", auth.RoleUser)
	d.account("csm", "priya.natarajan@northvale.example", "Priya Natarajan", auth.RoleUser)
	if d.err != nil {
		return "", d.err
	}
	if _, err := a.meetings.AddStandingItem(ctx, board.ID, "Violence Reduction Action Plan: verbal update", "verbal update", "Helen Ashworth, Assistant Director"); err != nil {
		return "", err
	}
	if _, err := a.meetings.AddStandingItem(ctx, board.ID, "Crime performance dashboard", "for noting", "Supt Daniel Reyes, Northvale Police"); err != nil {
		return "", err
	}
	// Three past meetings a quarter apart, and two to come.
	var held []*meetings.Meeting
	for _, days := range []int{-190, -100, -10, 80, 170} {
		m := &meetings.Meeting{BoardID: board.ID, StartsAt: londonAt(days, "10:00"), EndsAt: londonAt(days, "12:00"),
			Mode: meetings.ModeHybrid, Place: board.DefaultPlace}
		if err := a.meetings.ScheduleMeeting(ctx, m); err != nil {
			return "", err
		}
		if days < 0 {
			held = append(held, m)
		}
	}
	for _, days := range []int{-60, 30} {
		m := &meetings.Meeting{BoardID: group.ID, StartsAt: londonAt(days, "14:00"), EndsAt: londonAt(days, "15:30"),
			Mode: meetings.ModeVirtual, Place: "Microsoft Teams"}
		if err := a.meetings.ScheduleMeeting(ctx, m); err != nil {
			return "", err
		}
	}
	for _, m := range held {
		if err := d.attendance(m.ID); err != nil {
			return "", err
		}
	}
	if err := demoMinutes(ctx, a, board, group); err != nil {
		return "", err
	}
	if err := demoMeetings(ctx, a, board, group, d.people); err != nil {
		return "", err
	}
	if err := demoActions(ctx, a, board, group); err != nil {
		return "", err
	}
	if err := demoPlans(ctx, a, board); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Demo partnership loaded. Sign in with password %q as:\n", demoPassword)
	fmt.Fprintf(&b, "  clerk@northvale.example   (clerk of the partnership)\n")
	fmt.Fprintf(&b, "  chair@northvale.example   (the chair)\n")
	fmt.Fprintf(&b, "  priya.natarajan@northvale.example (an officer with actions)\n")
	fmt.Fprintf(&b, "  admin@northvale.example   (administrator)\n")
	return b.String(), nil
}

func (d *demo) attendance(meetingID int64) error {
	rec := func(key, status, role string, subFor string) error {
		return d.a.meetings.RecordAttendance(d.ctx, meetingID, meetings.Attendance{PersonID: d.people[key], Status: status,
			Role: role, SubstituteFor: d.people[subFor]})
	}
	for _, r := range []struct{ key, status, role, sub string }{
		{"chair", meetings.Present, "Chair", ""}, {"vice", meetings.Present, "Vice-Chair", ""},
		{"csm", meetings.Present, "", ""}, {"yos", meetings.Present, "", ""}, {"insp", meetings.Present, "", "supt"},
		{"fire", meetings.Present, "", ""}, {"icb", meetings.Apologies, "", ""}, {"supt", meetings.Apologies, "", ""},
		{"prob", meetings.Present, "", ""}, {"nva", meetings.Apologies, "", ""}, {"asb", meetings.AlsoPresent, "", ""},
		{"clerk", meetings.AlsoPresent, "Clerk", ""},
	} {
		if err := rec(r.key, r.status, r.role, r.sub); err != nil {
			return err
		}
	}
	return nil
}
