package actions

import (
	"context"
	"strings"
	"testing"

	"quorum/internal/errs"
)

func TestResolveOwner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		token   string
		kind    string
		person  int64
		org     int64
		group   string
		wantErr string
	}{
		{token: "JS", kind: OwnerPerson, person: f.jane},
		{token: "@js", kind: OwnerPerson, person: f.jane},
		{token: "jane-smith", kind: OwnerPerson, person: f.jane},
		{token: "KP", kind: OwnerPerson, person: f.karen},
		{token: "abrown", kind: OwnerPerson, person: f.alan},
		{token: "Chair", kind: OwnerRole, person: f.jane},
		{token: "vice-chair", kind: OwnerRole, person: f.karen},
		{token: "clerk", kind: OwnerRole, person: f.carol},
		{token: "police", kind: OwnerOrganisation, org: f.police},
		{token: "Banford Fire and Rescue", kind: OwnerOrganisation, org: f.fire},
		{token: "partners", kind: OwnerGroup, group: GroupPartners},
		{token: "all", kind: OwnerGroup, group: GroupAll},
		// an officer who sits on no board, found by handle
		{token: "olly", kind: OwnerPerson, person: f.olly},
		// initials only count for members of this board
		{token: "OO", wantErr: "unknown owner @OO: not a member, organisation or group of this board"},
		{token: "XY", wantErr: "unknown owner @XY: not a member, organisation or group of this board"},
		{token: "AB", wantErr: "Owner @AB is ambiguous: it could be Alan Brown (Banford Police) or Anne Bell (Voluntary Sector Forum); write their handle instead (@abrown, @abell)"},
		{token: "@", wantErr: "An owner is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			o, err := f.s.ResolveOwner(ctx, f.db, f.board, tt.token)
			if tt.wantErr != "" {
				if err == nil || errs.Code(err) != errs.Invalid || !strings.Contains(errs.Message(err), tt.wantErr) {
					t.Fatalf("got %+v, %v; want EINVALID %q", o, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != tt.kind || o.PersonID != tt.person || o.OrganisationID != tt.org || o.Group != tt.group {
				t.Fatalf("got %+v", o)
			}
			if o.Label != strings.TrimPrefix(tt.token, "@") {
				t.Errorf("label %q, want as written", o.Label)
			}
		})
	}

	partners, _ := f.s.ResolveOwner(ctx, f.db, f.board, "partners")
	if len(partners.Organisations) != 3 { // council, police, fire; not the forum (not a partner)
		t.Errorf("partners answer through %v, want the three partner organisations", partners.Organisations)
	}
	all, _ := f.s.ResolveOwner(ctx, f.db, f.board, "all")
	if len(all.Organisations) != 4 {
		t.Errorf("all answer through %v, want four organisations", all.Organisations)
	}
}

func TestSplitOwners(t *testing.T) {
	for in, want := range map[string]string{
		"@JS, @police":    "JS|police",
		"JS; KP":          "JS|KP",
		"JS and KP":       "JS|KP",
		"@JS @KP":         "JS|KP",
		"Banford Council": "Banford Council",
		"":                "",
	} {
		if got := strings.Join(SplitOwners(in), "|"); got != want {
			t.Errorf("SplitOwners(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanUpdate(t *testing.T) {
	a := &Action{Owners: []Owner{{Kind: OwnerPerson, PersonID: 1}, {Kind: OwnerOrganisation, OrganisationID: 10}}}
	g := &Action{Owners: []Owner{{Kind: OwnerGroup, Group: GroupPartners, Organisations: []int64{20, 21}}}}
	tests := []struct {
		name         string
		person, org  int64
		clerk, admin bool
		a            *Action
		want         bool
	}{
		{"owner", 1, 0, false, false, a, true},
		{"owning organisation", 2, 10, false, false, a, true},
		{"stranger", 3, 11, false, false, a, false},
		{"clerk", 3, 11, true, false, a, true},
		{"admin", 0, 0, false, true, a, true},
		{"group partner", 5, 21, false, false, g, true},
		{"not asked", 5, 22, false, false, g, false},
		{"nobody", 0, 0, false, false, g, false},
	}
	for _, tt := range tests {
		if got := CanUpdate(tt.person, tt.org, tt.clerk, tt.admin, tt.a); got != tt.want {
			t.Errorf("%s: CanUpdate = %v, want %v", tt.name, got, tt.want)
		}
	}
}
