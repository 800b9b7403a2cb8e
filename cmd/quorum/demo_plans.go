package main

import (
	"context"
	"fmt"
	"time"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/meetings"
)

// demoPlanStep is one dated report on a plan action: days before today, the RAG status
// then, and the progress reported.
type demoPlanStep struct {
	days     int
	rag      string
	progress string
}

// demoPlanAction is how the demo fills in one of the template's actions.
type demoPlanAction struct {
	ref        string
	lead       string // email of the lead
	start, end int    // days from today
	baseline   string
	steps      []demoPlanStep
}

// demoPlans gives the partnership its Violence Reduction Action Plan 2024–2027, made from
// the VRAP template eight months ago and attached to its standing item: leads named,
// reports over the months since (so the plan can be shown as it stood, and its chart has a
// past), one optional action of its own, and one signature of the three.
func demoPlans(ctx context.Context, a *app, board *meetings.Board) error {
	st := a.actions
	items, err := a.meetings.StandingItems(ctx, board.ID)
	if err != nil {
		return err
	}
	var itemID int64
	for _, it := range items {
		if it.Title == "Violence Reduction Action Plan: verbal update" {
			itemID = it.ID
		}
	}
	day := func(days int) string { return time.Now().In(meetings.London).AddDate(0, 0, days).Format(time.DateOnly) }
	at := func(days int) time.Time { return londonAt(days, "11:30") }
	person := func(email string) (*meetings.Person, error) { return a.meetings.PersonByEmail(ctx, email) }

	plan := &actions.Plan{BoardID: board.ID, Title: "Violence Reduction Action Plan", StartYear: 2024, EndYear: 2027,
		Owner: "Northvale Safer Communities Partnership", StandingItemID: itemID, Deadline: day(30),
		SubmitTo: "the regional Violence Reduction Unit", CreatedAt: at(-240)}
	if err := st.CreatePlan(ctx, plan, "vrap"); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}

	const (
		helen  = "helen.ashworth@northvale.example"
		priya  = "priya.natarajan@northvale.example"
		sarah  = "sarah.whitfield@northvale.example"
		aoife  = "aoife.gallagher@northvale.example"
		gareth = "gareth.lloyd@northvale.example"
		joseph = "joseph.adeyemi@northvale.example"
		linda  = "linda.shaw@northvale.example"
	)
	// An optional action of the partnership's own, under positive diversion.
	p, err := st.Plan(ctx, plan.ID)
	if err != nil {
		return err
	}
	summer := &actions.PlanAction{PlanID: plan.ID, ThemeID: p.Themes[6].ID,
		Title:   "Run a summer programme of sport and youth activities in the three wards with most violence",
		Outcome: "Fewer calls about youth violence in those wards over the summer holidays"}
	if err := st.AddPlanAction(audit.WithActor(ctx, audit.Actor{Name: "Tom Brennan"}), summer); err != nil {
		return err
	}

	specs := []demoPlanAction{
		{"1.1", helen, -230, 120, "Leads named in three of six partners", []demoPlanStep{{-200, "amber", "Leads named for the council, police and fire service."}, {-120, "green", "All six partners have named a senior lead; the structure chart is in the plan."}}},
		{"1.2", priya, -230, 300, "No joint protocol between the boards", []demoPlanStep{{-200, "amber", "First meeting of the four boards’ chairs held."}, {-45, "green", "Joint protocol agreed by all four boards; first review due next year."}}},
		{"1.3", helen, -240, 700, "", []demoPlanStep{{-190, "green", "The plan is a standing item on every agenda."}, {-100, "blue", "Standing item in place and working; kept under review."}}},
		{"2.1", priya, -220, 40, "The last assessment dates from 2023", []demoPlanStep{{-200, "amber", "Data requests sent to partners."}, {-100, "amber", "Police and council data received; health data awaited."}}},
		{"2.2", sarah, -240, 600, "Tasking every quarter", []demoPlanStep{{-200, "green", "Monthly tasking started in the spring."}, {-45, "green", "Eleven monthly meetings held; attendance from every partner."}}},
		{"2.3", aoife, -200, -20, "No hospital data shared", []demoPlanStep{{-180, "amber", "Information sharing agreement drafted."}, {-60, "red", "The hospital trust’s information governance review has delayed signing the agreement."}, {-5, "red", "Escalated to the trust’s Caldicott Guardian; a decision is expected next month."}}},
		{"3.1", priya, -200, 150, "", []demoPlanStep{{-190, "amber", "Trading standards plan agreed."}, {-100, "green", "Twenty test purchases made; two sales refused training followed."}}},
		{"3.2", sarah, -200, 400, "", []demoPlanStep{{-150, "green", "Monthly sweeps with volunteers in four parks."}}},
		{"4.1", gareth, -210, 330, "41 fixed-term exclusions last year", []demoPlanStep{{-200, "amber", "Inclusion panel set up with secondary heads."}, {-100, "amber", "Exclusions down by a fifth this term; two schools not yet on the panel."}}},
		{"4.2", gareth, -210, 330, "", []demoPlanStep{{-120, "green", "Exploitation screening added to every care leaver’s pathway plan."}}},
		{"4.3", joseph, -90, 300, "", nil},
		{"4.4", gareth, -210, -30, "No named contact in 9 of 14 schools", []demoPlanStep{{-150, "amber", "Named contacts in ten schools."}, {-40, "red", "Four schools still have no named contact; the end date has passed."}}},
		{"5.1", joseph, -200, 400, "", []demoPlanStep{{-160, "green", "Three community conversations held; priorities fed into the plan."}}},
		{"5.2", joseph, -200, 200, "", []demoPlanStep{{-150, "amber", "Small grants fund opened; decisions delayed by the budget."}, {-3, "green", "Grants awarded to six community groups."}}},
		{"6.1", aoife, -200, 250, "", []demoPlanStep{{-180, "amber", "Referral route mapped."}, {-100, "green", "Single referral route in use across health and the police."}}},
		{"6.2", linda, -200, 250, "", []demoPlanStep{{-150, "amber", "Specialist services commissioned; waiting times still long."}}},
		{"7.1", gareth, -200, 400, "", []demoPlanStep{{-120, "green", "Mentoring scheme running with 35 young people."}}},
		{"7.2", sarah, -200, -15, "", []demoPlanStep{{-150, "green", "Diversion scheme in place."}, {-20, "blue", "Out-of-court diversion fully in place; handed to business as usual."}}},
		{"7.3", priya, -100, 60, "", []demoPlanStep{{-90, "amber", "Venues booked; staffing being recruited."}, {-30, "green", "Programme ran all summer with 400 young people taking part."}}},
	}
	p, err = st.Plan(ctx, plan.ID)
	if err != nil {
		return err
	}
	byRef := map[string]*actions.PlanAction{}
	for _, pa := range p.Actions() {
		byRef[pa.Ref] = pa
	}
	clerk := audit.WithActor(ctx, audit.Actor{Name: "Tom Brennan"})
	for _, sp := range specs {
		pa, ok := byRef[sp.ref]
		if !ok {
			return fmt.Errorf("demo plan: no action %s", sp.ref)
		}
		lead, err := person(sp.lead)
		if err != nil {
			return fmt.Errorf("demo plan lead %s: %w", sp.lead, err)
		}
		// The clerk names the lead and the dates a week after the plan is made.
		pa.LeadPersonID, pa.StartDate, pa.EndDate, pa.Baseline = lead.ID, day(sp.start), day(sp.end), sp.baseline
		if err := st.UpdatePlanActionAt(clerk, pa, at(-233)); err != nil {
			return fmt.Errorf("demo plan %s: %w", sp.ref, err)
		}
		as := audit.WithActor(ctx, audit.Actor{UserID: 0, Name: lead.Name})
		for _, step := range sp.steps {
			pa.RAG, pa.Progress = step.rag, step.progress
			if err := st.UpdatePlanActionAt(as, pa, at(step.days)); err != nil {
				return fmt.Errorf("demo plan %s: %w", sp.ref, err)
			}
		}
	}

	// Sign-off: the three offices named, the police commander's signature made on paper
	// and recorded by the clerk.
	chief := &meetings.Person{Name: "Andrew Pryce", JobTitle: "Chief Executive", Email: "andrew.pryce@northvale.example"}
	leader := &meetings.Person{Name: "Cllr Ruth Dalton", JobTitle: "Leader of the Council", Email: "ruth.dalton@northvale.example"}
	for _, np := range []*meetings.Person{chief, leader} {
		if org, err := a.meetings.Organisations(ctx); err == nil {
			for _, o := range org {
				if o.Handle == "council" {
					np.OrganisationID = o.ID
				}
			}
		}
		if err := a.meetings.CreatePerson(ctx, np); err != nil {
			return err
		}
	}
	supt, err := person("daniel.reyes@northvale.example")
	if err != nil {
		return err
	}
	holders := map[string]int64{actions.OfficeChiefExecutive: chief.ID, actions.OfficeLeader: leader.ID, actions.OfficePolice: supt.ID}
	for _, sg := range p.Signatories {
		if err := st.NameSignatory(clerk, plan.ID, sg.ID, holders[sg.Office]); err != nil {
			return err
		}
		if sg.Office == actions.OfficePolice {
			if err := st.RecordSignature(clerk, plan.ID, sg.ID, supt.Name, day(-12)); err != nil {
				return err
			}
		}
	}
	return nil
}
