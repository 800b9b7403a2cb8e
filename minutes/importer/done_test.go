package importer

import (
	"slices"
	"strings"
	"testing"
)

func TestFindDone(t *testing.T) {
	open := []OpenAction{
		{ID: 1, Ref: "NSCP/25/04", Minute: "47", Text: "circulate the youth outreach evaluation to partners"},
		{ID: 2, Ref: "NSCP/25/05", Minute: "48", Text: "share the burglary hotspot map with the neighbourhood teams"},
		{ID: 3, Ref: "NSCP/25/06", Minute: "48", Text: "arrange a briefing for ward councillors on burglary"},
	}
	head := "---\nmeeting: 2026-03-19T10:00\n---\n\n## 1. Minutes of the last meeting and matters arising\n\n"
	for _, tc := range []struct {
		name string
		md   string
		want []int64
	}{
		{"by reference", head + "NSCP/25/05: done.\n", []int64{2}},
		{"by text", head + "The youth outreach evaluation had been circulated to partners. Action complete.\n", []int64{1}},
		{"the sentence before", head + "Minute 47, youth outreach. The evaluation went out in April; action discharged.\n", []int64{1}},
		{"by minute, told apart by a word", head + "Minute 48/25: the briefing for councillors took place on 3 March and the action was closed.\n", []int64{3}},
		{"not yet", head + "The burglary hotspot map was not yet complete.\n", nil},
		{"still to be", head + "The youth outreach evaluation would be completed by June.\n", nil},
		{"a list item each", head + "- NSCP/25/04: completed.\n- NSCP/25/05: outstanding, carried forward.\n", []int64{1}},
		{"a new action is not evidence", head + "ACTION @HA: circulate the youth outreach evaluation to partners again, done properly\n", nil},
		{"only matters arising", head + "Nothing to report.\n\n## 2. Burglary\n\nNSCP/25/05 was done.\n", nil},
		{"no matters arising item: the whole text", "## 1. Burglary\n\nThe hotspot map had been shared with the neighbourhood teams, so the action is closed.\n", []int64{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int64
			for _, d := range FindDone([]byte(tc.md), open) {
				got = append(got, d.ActionID)
				if d.Evidence == "" || d.Line == 0 {
					t.Errorf("%s: no evidence or line: %+v", tc.name, d)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("found %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOriginalLines(t *testing.T) {
	res, err := FromText(strings.NewReader("Board\n\n1\tWelcome\tAction\n\tThe Chair welcomed partners.\tJS\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Original) != 4 || res.Original[3].N != 4 || res.Original[1].Text != "" {
		t.Errorf("original lines: %+v", res.Original)
	}
}
