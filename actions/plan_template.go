package actions

// PlanTemplate is what a plan starts from: themes with their actions, and the offices
// that sign the plan off. Quorum ships the VRAP and a blank plan; clerks save their own.
type PlanTemplate struct {
	// Key names the template in forms: "vrap", "blank", or "saved:12" for a clerk's.
	Key         string          `json:"key"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Themes      []TemplateTheme `json:"themes"`
	Signatories []string        `json:"signatories"`
	// Saved is true for a template a clerk saved.
	Saved bool `json:"saved,omitempty"`
}

// TemplateTheme is a theme of a template.
type TemplateTheme struct {
	Title       string           `json:"title"`
	Description string           `json:"description,omitempty"`
	Actions     []TemplateAction `json:"actions"`
}

// TemplateAction is an action a template puts under a theme.
type TemplateAction struct {
	Title     string `json:"action"`
	Outcome   string `json:"outcome,omitempty"`
	Mandatory bool   `json:"mandatory"`
}

// MandatoryCount is how many of the template's actions are mandatory.
func (t *PlanTemplate) MandatoryCount() int {
	n := 0
	for _, th := range t.Themes {
		for _, a := range th.Actions {
			if a.Mandatory {
				n++
			}
		}
	}
	return n
}

// The offices that sign a violence reduction plan off: the council's most senior officer,
// its elected leader and the police commander for the area, since the plan supports a
// statutory duty that all three answer for.
const (
	OfficeChiefExecutive = "Chief Executive of the Council"
	OfficeLeader         = "Leader of the Council (or elected Mayor)"
	OfficePolice         = "Police area commander"
)

// builtinTemplates are the templates Quorum ships, written in Quorum's words after the
// regional violence reduction unit's template: seven themes, each with the actions every
// partnership is expected to carry (mandatory); partnerships add optional ones of their own.
var builtinTemplates = []PlanTemplate{
	{
		Key:  "vrap",
		Name: "Violence Reduction Action Plan (VRAP)",
		Description: "Seven themes of a public health approach to serious violence, each with the actions every " +
			"partnership is expected to take, signed off by the council’s Chief Executive and Leader and the police area commander.",
		Signatories: []string{OfficeChiefExecutive, OfficeLeader, OfficePolice},
		Themes: []TemplateTheme{
			{Title: "Governance and leadership",
				Description: "Who leads the work on violence locally, and how the community safety partnership works with the safeguarding boards and the health and wellbeing board.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Name a senior lead for violence reduction in each partner organisation and set out the leadership structure",
						Outcome: "Every partner has an accountable senior lead, known to the others"},
					{Mandatory: true, Title: "Agree how the partnership, the children’s and adults’ safeguarding boards and the health and wellbeing board share the work on violence",
						Outcome: "One joint approach, with no gaps or duplication between the boards"},
					{Mandatory: true, Title: "Review this plan at every partnership meeting as a standing item",
						Outcome: "The partnership sees progress and acts on what is off track"},
				}},
			{Title: "Analysis and enforcement",
				Description: "How analysis and local enforcement are used to disrupt violence.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Produce and refresh each year a strategic needs assessment of serious violence",
						Outcome: "A shared picture of where, when and to whom violence happens"},
					{Mandatory: true, Title: "Hold a monthly multi-agency tasking meeting on violence, its places and the people most at risk",
						Outcome: "Partners act together on the current picture each month"},
					{Mandatory: true, Title: "Bring hospital and other health data on injuries from assault into the analysis alongside police data",
						Outcome: "Violence that is never reported to the police is seen and counted"},
				}},
			{Title: "Reducing access to weapons",
				Description: "How partners work together to make weapons harder to get and to carry.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Run test purchases and responsible-retailer work on knife sales with trading standards",
						Outcome: "Fewer retailers sell knives to under-18s"},
					{Mandatory: true, Title: "Carry out regular weapon sweeps of parks and open spaces with the community",
						Outcome: "Hidden weapons are found and removed"},
				}},
			{Title: "Safeguarding and educating young people",
				Description: "Keeping children in school, supporting children in care and care leavers, working with parents and carers, and making schools safe and inclusive.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Reduce school exclusions, with support for pupils at risk of exclusion and at the points where they move school",
						Outcome: "Fewer permanent and fixed-term exclusions"},
					{Mandatory: true, Title: "Protect children in care and care leavers from exploitation and violence",
						Outcome: "Children in care and care leavers at risk are known and supported"},
					{Mandatory: true, Title: "Offer parents and carers advice and support on the signs of exploitation and violence",
						Outcome: "Parents and carers know the signs and where to turn"},
					{Mandatory: true, Title: "Help schools be safe and inclusive places, with a named contact for violence and exploitation",
						Outcome: "Every school knows whom to call and what support there is"},
				}},
			{Title: "Working with communities and neighbourhoods to reduce violence",
				Description: "Local delivery shaped with residents and the voluntary and community sector.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Involve residents and community groups in deciding local priorities on violence",
						Outcome: "Communities help shape the plan and hear what it achieves"},
					{Mandatory: true, Title: "Work with and fund voluntary and community organisations that reach people services do not",
						Outcome: "Trusted local organisations are part of the response"},
				}},
			{Title: "Supporting victims of violence and vulnerability",
				Description: "Co-ordinated referral and support for victims and for people who are vulnerable.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Agree a single referral route so that every victim of violence is offered support",
						Outcome: "No victim falls between services"},
					{Mandatory: true, Title: "Support victims of domestic abuse, sexual violence and exploitation through specialist services",
						Outcome: "Specialist support is available without delay"},
				}},
			{Title: "Positive diversion from violence",
				Description: "Interventions that help children and young people before, or as they move away from, crime.",
				Actions: []TemplateAction{
					{Mandatory: true, Title: "Offer young people at risk positive activities, mentoring and trusted adults",
						Outcome: "Young people at risk take up diversionary activities"},
					{Mandatory: true, Title: "Use out-of-court and diversion schemes for young people who first come into contact with the police",
						Outcome: "Fewer young people enter the criminal justice system"},
				}},
		},
	},
	{
		Key:         "blank",
		Name:        "Blank plan",
		Description: "No themes or actions: build the plan yourself, or import it from a spreadsheet.",
		Themes:      []TemplateTheme{},
		Signatories: []string{},
	},
}

// BuiltinTemplate returns a shipped template by key.
func BuiltinTemplate(key string) (PlanTemplate, bool) {
	for _, t := range builtinTemplates {
		if t.Key == key {
			return t, true
		}
	}
	return PlanTemplate{}, false
}
