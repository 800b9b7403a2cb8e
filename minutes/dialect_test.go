package minutes

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// -update-dialect rewrites testdata/dialect/*.golden.json. Its own name, so that it never
// clashes with an -update flag of another test file in the package.
var updateDialect = flag.Bool("update-dialect", false, "rewrite the dialect golden files")

// wantErr is an expected error: its line and a part of its message.
type wantErr struct {
	line int
	has  string
}

// dialectCase is one minutes text and what Parse should read from it. A nil want slice is
// not checked; errs is always checked (nil: no errors).
type dialectCase struct {
	name    string
	src     string
	opt     *Options // nil: the meeting of 25 March 2021, owners and meetings not checked
	items   []Item
	res     []Resolution
	actions []ActionLine
	notes   []Note
	errs    []wantErr
}

func runDialectCases(t *testing.T, cases []dialectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{MeetingDate: meeting25March2021}
			if tc.opt != nil {
				opt = *tc.opt
			}
			p := Parse([]byte(tc.src), opt)
			checkErrors(t, p.Errors, tc.errs)
			if tc.items != nil && !reflect.DeepEqual(p.Items, tc.items) {
				t.Errorf("items:\n got %+v\nwant %+v", p.Items, tc.items)
			}
			if tc.res != nil && !reflect.DeepEqual(p.Resolutions, tc.res) {
				t.Errorf("resolutions:\n got %+v\nwant %+v", p.Resolutions, tc.res)
			}
			if tc.actions != nil && !reflect.DeepEqual(p.Actions, tc.actions) {
				t.Errorf("actions:\n got %s\nwant %s", jsonOf(p.Actions), jsonOf(tc.actions))
			}
			if tc.notes != nil && !reflect.DeepEqual(p.Notes, tc.notes) {
				t.Errorf("notes:\n got %+v\nwant %+v", p.Notes, tc.notes)
			}
		})
	}
}

func checkErrors(t *testing.T, got []LineError, want []wantErr) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].Line == want[i].line && strings.Contains(got[i].Message, want[i].has)
	}
	if !ok {
		t.Errorf("errors:\n got %+v\nwant %+v", got, want)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestDialectItems(t *testing.T) {
	runDialectCases(t, []dialectCase{
		{
			name: "numbered headings of level 2 and 3",
			src: lines(
				"# Minutes of the meeting",
				"## 7. Quarter 4 update",
				"### 7a. Priority one – safer streets",
				"### 7b Priority two",
				"### 7(c) Priority three",
				"## 8 Key issues",
				"## 9) Any other business",
				"### 7D. Capital letter",
			),
			items: []Item{
				{Number: "7", Title: "Quarter 4 update", Level: 2, Line: 2},
				{Number: "7a", Title: "Priority one – safer streets", Level: 3, Line: 3},
				{Number: "7b", Title: "Priority two", Level: 3, Line: 4},
				{Number: "7c", Title: "Priority three", Level: 3, Line: 5},
				{Number: "8", Title: "Key issues", Level: 2, Line: 6},
				{Number: "9", Title: "Any other business", Level: 2, Line: 7},
				{Number: "7d", Title: "Capital letter", Level: 3, Line: 8},
			},
		},
		{
			name: "minute numbers",
			src: lines(
				"## 7. Quarter 4 update {#47}",
				"### 7a. Safer streets {#47/21}",
				"### 7b. VAWG {#12a}",
				"## 8. Closing hashes ##",
				"## 9. Minute after closing hashes ## {#49}",
				"## 10. Minute before closing hashes {#50} ##",
			),
			items: []Item{
				{Number: "7", Title: "Quarter 4 update", Minute: "47", Level: 2, Line: 1},
				{Number: "7a", Title: "Safer streets", Minute: "47/21", Level: 3, Line: 2},
				{Number: "7b", Title: "VAWG", Minute: "12a", Level: 3, Line: 3},
				{Number: "8", Title: "Closing hashes", Level: 2, Line: 4},
				{Number: "9", Title: "Minute after closing hashes", Minute: "49", Level: 2, Line: 5},
				{Number: "10", Title: "Minute before closing hashes", Minute: "50", Level: 2, Line: 6},
			},
		},
		{
			name: "headings that are not items",
			src: lines(
				"# 1. Level one is the document's title",
				"#### 7e. Level four",
				"## Present",
				"## 2021 review", // four digits: a year, not an item number
				"## 2nd thoughts",
				"## 7.1 Decimal numbers are not items",
				"##7. No space after the hashes",
				"    ## 7. Indented four spaces",
			),
			items: []Item{},
		},
		{
			name:  "item number used twice",
			src:   lines("## 7. Update", "", "## 7. Update again"),
			items: []Item{{Number: "7", Title: "Update", Level: 2, Line: 1}},
			errs:  []wantErr{{3, "item 7 is already used at line 1"}},
		},
		{
			name:  "7(a) and 7a are the same number",
			src:   lines("### 7a. One", "### 7(a) Two"),
			items: []Item{{Number: "7a", Title: "One", Level: 3, Line: 1}},
			errs:  []wantErr{{2, "item 7a is already used at line 1"}},
		},
		{
			name:  "minute number used twice",
			src:   lines("## 7. One {#47}", "## 8. Two {#47}"),
			items: []Item{{Number: "7", Title: "One", Minute: "47", Level: 2, Line: 1}},
			errs:  []wantErr{{2, "minute number 47 is already used at line 1"}},
		},
		{
			name:  "unreadable minute numbers",
			src:   lines("## 7. One {#}", "## 8. Two {#4 7}"),
			items: []Item{},
			errs:  []wantErr{{1, "cannot read the minute number {#}"}, {2, "cannot read the minute number {#4 7}"}},
		},
	})
}

func TestDialectResolutions(t *testing.T) {
	runDialectCases(t, []dialectCase{
		{
			name: "single resolutions, numbered per item",
			src: lines(
				"## 6. Strategy",
				"RESOLVED that the update be noted.",
				"",
				"RESOLVED: that the strategy be adopted.",
				"",
				"## 7. Priorities",
				"Resolved that the update be noted.",
				"",
				"**RESOLVED** that partners be thanked.",
				"",
				"**RESOLVED:** The Board agrees.",
				"",
				"resolved: lower case at the start of a paragraph.",
			),
			res: []Resolution{
				{Item: "6", Ordinal: 1, Text: "that the update be noted.", Line: 2},
				{Item: "6", Ordinal: 2, Text: "that the strategy be adopted.", Line: 4},
				{Item: "7", Ordinal: 1, Text: "that the update be noted.", Line: 7},
				{Item: "7", Ordinal: 2, Text: "that partners be thanked.", Line: 9},
				{Item: "7", Ordinal: 3, Text: "The Board agrees.", Line: 11},
				{Item: "7", Ordinal: 4, Text: "lower case at the start of a paragraph.", Line: 13},
			},
		},
		{
			name: "a resolution over several lines",
			src: lines(
				"## 9. VRAP",
				"RESOLVED that the update on the VRAP be noted, and that the",
				"Assistant Director update partners after the visit",
				"in April.",
				"",
				"Partners then discussed the visit.",
			),
			res: []Resolution{{Item: "9", Ordinal: 1, Line: 2,
				Text: "that the update on the VRAP be noted, and that the Assistant Director update partners after the visit in April."}},
		},
		{
			name: "RESOLVED in capitals after a line of prose starts a resolution",
			src: lines(
				"## 4. Minutes",
				"Partners agreed the minutes.",
				"RESOLVED that the minutes be agreed.",
			),
			res: []Resolution{{Item: "4", Ordinal: 1, Text: "that the minutes be agreed.", Line: 3}},
		},
		{
			name: "prose that is not a resolution",
			src: lines(
				"## 4. Minutes",
				"Resolved issues were reported to the Board.",
				"",
				"It was RESOLVED that the minutes be agreed.",
				"",
				"The Board",
				"resolved that the item be deferred.",
				"",
				"RESOLVEDLY is not a word.",
				"",
				"    RESOLVED that indented four spaces is still a resolution.",
			),
			res: []Resolution{{Item: "4", Ordinal: 1, Text: "that indented four spaces is still a resolution.", Line: 11}},
		},
		{
			name: "numbered list after RESOLVED that",
			src: lines(
				"## 7. VAWG",
				"RESOLVED that the report be noted.",
				"",
				"RESOLVED that",
				"",
				"1) The Partnership endorses the strategy.",
				"",
				"2) Partner organisations consider signing the pledge",
				"   by 30th April 2021.",
				"",
				"Partners thanked the officers.",
			),
			res: []Resolution{
				{Item: "7", Ordinal: 1, Text: "that the report be noted.", Line: 2},
				{Item: "7", Ordinal: 2, Text: "The Partnership endorses the strategy.", Line: 6},
				{Item: "7", Ordinal: 3, Text: "Partner organisations consider signing the pledge by 30th April 2021.", Line: 8},
			},
		},
		{
			name: "list forms and intros",
			src: lines(
				"## 11. DHR",
				"RESOLVED that:",
				"1. the update be noted;",
				"2. lessons learned be reported",
				"to a future meeting.",
				"",
				"RESOLVED",
				"(1) first",
				"(2) second",
				"",
				"Resolved that the Board, having considered the report, agrees that",
				"(a) lettered",
				"b) lettered too",
				"",
				"RESOLVED: the Board",
				"",
				"1. notes the report.",
				"",
				"RESOLVED that the following be noted",
				"1. this list is ordinary text: the paragraph does not end with that or a colon",
			),
			res: []Resolution{
				{Item: "11", Ordinal: 1, Text: "the update be noted;", Line: 3},
				{Item: "11", Ordinal: 2, Text: "lessons learned be reported to a future meeting.", Line: 4},
				{Item: "11", Ordinal: 3, Text: "first", Line: 8},
				{Item: "11", Ordinal: 4, Text: "second", Line: 9},
				{Item: "11", Ordinal: 5, Text: "lettered", Line: 12},
				{Item: "11", Ordinal: 6, Text: "lettered too", Line: 13},
				{Item: "11", Ordinal: 7, Text: "the Board", Line: 15},
				{Item: "11", Ordinal: 8, Text: "that the following be noted", Line: 19},
			},
		},
		{
			name: "the list ends at a block that is not a list item",
			src: lines(
				"## 7. VAWG",
				"RESOLVED that",
				"1. one",
				"- a bullet ends the list",
				"2. not a resolution",
			),
			res: []Resolution{{Item: "7", Ordinal: 1, Text: "one", Line: 3}},
		},
		{
			name: "RESOLVED that with no list",
			src: lines(
				"## 7. VAWG",
				"RESOLVED that",
				"",
				"The Partnership endorses the strategy.",
				"",
				"## 8. Next",
				"RESOLVED that the Board agrees that",
				"## 9. Last",
				"RESOLVED:",
			),
			res: []Resolution{},
			errs: []wantErr{
				{2, "no numbered list follows this RESOLVED"},
				{7, "no numbered list follows this RESOLVED"},
				{9, "no numbered list follows this RESOLVED"},
			},
		},
		{
			name: "an empty numbered resolution",
			src:  lines("## 7. VAWG", "RESOLVED that", "1.", "2. two"),
			res:  []Resolution{{Item: "7", Ordinal: 1, Text: "two", Line: 4}},
			errs: []wantErr{{3, "this numbered resolution is empty"}},
		},
		{
			name: "a resolution outside any item",
			src:  lines("# Minutes", "RESOLVED that the minutes be agreed.", "## Present", "RESOLVED that", "1. one"),
			res:  []Resolution{},
			errs: []wantErr{{2, "this resolution is outside any agenda item"}, {5, "this resolution is outside any agenda item"}},
		},
		{
			name: "an ACTION ends a resolution",
			src: lines(
				"## 7. VAWG",
				"RESOLVED that the report be noted.",
				"ACTION @JS: circulate it",
				"and this is prose after the action.",
			),
			res: []Resolution{{Item: "7", Ordinal: 1, Text: "that the report be noted.", Line: 2}},
			// an action is one line: the prose after it is not part of it
			actions: []ActionLine{{Item: "7", Owners: []string{"JS"}, Text: "circulate it", Line: 3}},
		},
	})
}

func TestDialectActions(t *testing.T) {
	runDialectCases(t, []dialectCase{
		{
			name: "forms of the ACTION line",
			src: lines(
				"## 7. VRAP",
				"ACTION @JS: disseminate the plan to the Board (by 30 April 2021)",
				"- ACTION @JS, @police: report back by next meeting",
				"* ACTION SBP/21/07 @partners: send a signature (by 30th April 2021).",
				"1. ACTION @jane.smith and @vice-chair: agree the format",
				"**ACTION** @chair & @P&C @team_2: bold keyword",
				"Action @JS: mixed case, written in full",
				"  + ACTION\t@JS:\ttabs",
				"ACTION @JS @AB: spaces between owners, duplicate @JS",
				"ACTION @Zoë: letters beyond ASCII",
			),
			actions: []ActionLine{
				{Item: "7", Owners: []string{"JS"}, Text: "disseminate the plan to the Board", Due: &Due{Date: "2021-04-30"}, Line: 2},
				{Item: "7", Owners: []string{"JS", "police"}, Text: "report back", Due: &Due{Meeting: "next"}, Line: 3},
				{Ref: "SBP/21/07", Item: "7", Owners: []string{"partners"}, Text: "send a signature", Due: &Due{Date: "2021-04-30"}, Line: 4},
				{Item: "7", Owners: []string{"jane.smith", "vice-chair"}, Text: "agree the format", Line: 5},
				{Item: "7", Owners: []string{"chair", "P&C", "team_2"}, Text: "bold keyword", Line: 6},
				{Item: "7", Owners: []string{"JS"}, Text: "mixed case, written in full", Line: 7},
				{Item: "7", Owners: []string{"JS"}, Text: "tabs", Line: 8},
				{Item: "7", Owners: []string{"JS", "AB"}, Text: "spaces between owners, duplicate @JS", Line: 9},
				{Item: "7", Owners: []string{"Zoë"}, Text: "letters beyond ASCII", Line: 10},
			},
		},
		{
			name: "due parts at the end of the text",
			src: lines(
				"## 9. VRAP",
				"ACTION @JS: update the Board (by the September meeting)",
				"ACTION @JS: update the Board by September meeting",
				"ACTION @JS: update the Board by the next meeting.",
				"ACTION @JS: send the report by email, by 30/04/2021",
				"ACTION @JS: send the report – by 2021-04-30",
				"ACTION @JS: send the report (by 30 April)",
				"ACTION @JS: send the report BY 30 Apr 2021",
				"ACTION @JS: send the report (by end of April)",
			),
			actions: []ActionLine{
				{Item: "9", Owners: []string{"JS"}, Text: "update the Board", Due: &Due{Month: 9}, Line: 2},
				{Item: "9", Owners: []string{"JS"}, Text: "update the Board", Due: &Due{Month: 9}, Line: 3},
				{Item: "9", Owners: []string{"JS"}, Text: "update the Board", Due: &Due{Meeting: "next"}, Line: 4},
				{Item: "9", Owners: []string{"JS"}, Text: "send the report by email", Due: &Due{Date: "2021-04-30"}, Line: 5},
				{Item: "9", Owners: []string{"JS"}, Text: "send the report", Due: &Due{Date: "2021-04-30"}, Line: 6},
				{Item: "9", Owners: []string{"JS"}, Text: "send the report", Due: &Due{Date: "2021-04-30"}, Line: 7},
				{Item: "9", Owners: []string{"JS"}, Text: "send the report", Due: &Due{Date: "2021-04-30"}, Line: 8},
				{Item: "9", Owners: []string{"JS"}, Text: "send the report", Due: &Due{Date: "2021-04-30"}, Line: 9},
			},
		},
		{
			name: "by that is not a due part stays in the text",
			src: lines(
				"## 9. VRAP",
				"ACTION @JS: meet the group led by Jane",
				"ACTION @JS: review the plan (as agreed by the CRAG)",
				"ACTION @JS: circulate the notes.",
				"ACTION @JS: update by May Smith", // "May Smith" is not a date
			),
			actions: []ActionLine{
				{Item: "9", Owners: []string{"JS"}, Text: "meet the group led by Jane", Line: 2},
				{Item: "9", Owners: []string{"JS"}, Text: "review the plan (as agreed by the CRAG)", Line: 3},
				{Item: "9", Owners: []string{"JS"}, Text: "circulate the notes.", Line: 4},
				{Item: "9", Owners: []string{"JS"}, Text: "update by May Smith", Line: 5},
			},
		},
		{
			name: "September meeting resolved against the board's schedule",
			src:  lines("## 9. VRAP", "ACTION @JS: update the Board (by the September meeting)"),
			opt: &Options{MeetingDate: meeting25March2021, Meetings: func(m time.Month, after time.Time) (string, bool) {
				if m == time.September && after.Equal(meeting25March2021) {
					return "2021-09-16", true
				}
				return "", false
			}},
			actions: []ActionLine{{Item: "9", Owners: []string{"JS"}, Text: "update the Board", Due: &Due{Meeting: "2021-09-16", Month: 9}, Line: 2}},
		},
		{
			name: "no September meeting scheduled",
			src:  lines("## 9. VRAP", "ACTION @JS: update the Board (by the September meeting)"),
			opt: &Options{MeetingDate: meeting25March2021, Meetings: func(time.Month, time.Time) (string, bool) {
				return "", false
			}},
			actions: []ActionLine{},
			errs:    []wantErr{{2, "no September meeting of this board is scheduled after 25 March 2021"}},
		},
		{
			name: "owners checked",
			src: lines(
				"## 9. VRAP",
				"ACTION @JS, @XY: one",
				"ACTION @XY, @ZZ: two",
				"ACTION @partners: three",
			),
			opt: &Options{MeetingDate: meeting25March2021, Owners: func(o string) error {
				if o == "JS" || o == "partners" {
					return nil
				}
				return fmt.Errorf("unknown owner @%s: not a member, organisation or group of this board", o)
			}},
			actions: []ActionLine{{Item: "9", Owners: []string{"partners"}, Text: "three", Line: 4}},
			errs: []wantErr{
				{2, "unknown owner @XY: not a member, organisation or group of this board"},
				{3, "unknown owner @XY"},
				{3, "unknown owner @ZZ"},
			},
		},
		{
			name:    "an owners check that fails without a message",
			src:     lines("## 9. VRAP", "ACTION @XY: one"),
			opt:     &Options{Owners: func(string) error { return errors.New("") }},
			actions: []ActionLine{},
			errs:    []wantErr{{2, "unknown owner @XY"}},
		},
		{
			name: "lines that are not actions",
			src: lines(
				"## 9. VRAP",
				"Action points were agreed.",
				"Actions: see below.",
				"ACTIONS were reviewed.",
				"ACTIONED @JS: done",
				"The officer will take ACTION @JS: not at the start",
				"> ACTION @JS: in a block quote",
				"<p>ACTION @JS: in raw HTML</p>",
				"Action @JS would do it",
			),
			actions: []ActionLine{},
		},
		{
			name: "malformed ACTION lines",
			src: lines(
				"## 9. VRAP",
				"ACTION",
				"ACTION: circulate the plan",
				"ACTION JS: circulate the plan",
				"ACTION @JS circulate the plan",
				"ACTION @: circulate the plan",
				"ACTION @JS:",
				"ACTION @JS: (by next meeting)",
				"ACTION – @JS: circulate the plan",
				"ACTION SBP/21/07: circulate the plan",
			),
			actions: []ActionLine{},
			errs: []wantErr{
				{2, "this ACTION has no owner: name who does it with an @, as in ACTION @owner: what is to be done (by next meeting)"},
				{3, "this ACTION has no owner"},
				{4, "this ACTION has no owner"},
				{5, "this ACTION needs a colon after its owners: write it as ACTION @owner: what is to be done (by next meeting)"},
				{6, "an @ with no name after it"},
				{7, "this ACTION says who but not what"},
				{8, "this ACTION says who but not what"},
				{9, "cannot read this ACTION: after ACTION come the owners"},
				{10, "this ACTION has no owner"},
			},
		},
		{
			name: "due part errors",
			src: lines(
				"## 9. VRAP",
				"ACTION @JS: one (by 31/02/2021)",
				"ACTION @JS: two by 2021-13-01",
				"ACTION @JS: three (by 1 March 2021)",
				"ACTION @JS: four (by Friday)",
				"ACTION @JS: five by Friday",
				"ACTION @JS: six by 31 April",
				"ACTION @JS: seven by the Board meeting",
				"ACTION @JS: eight (by and by)",
			),
			actions: []ActionLine{},
			errs: []wantErr{
				{2, "31/02/2021 is not a date: February 2021 has 28 days"},
				{3, "2021-13-01 is not a date: there is no month 13"},
				{4, "the due date 1 March 2021 is before the meeting (25 March 2021)"},
				{5, `cannot read "by Friday" as a due date`},
				{6, `cannot read "by Friday" as a due date`},
				{7, "31 April is not a date: April 2021 has 30 days"},
				{8, `cannot read "by the Board meeting" as a due date`},
				{9, `cannot read "by and by" as a due date`},
			},
		},
		{
			name:    "ACTION outside any item",
			src:     lines("# Minutes", "ACTION @JS: one", "## 1. Welcome", "## Date of next meeting", "ACTION @JS: two", "### 2. Three", "#### Detail", "ACTION @JS: three"),
			actions: []ActionLine{{Item: "2", Owners: []string{"JS"}, Text: "three", Line: 8}},
			errs: []wantErr{
				{2, "this ACTION is outside any agenda item: put it under the item's heading (## 7. Title)"},
				{5, "this ACTION is outside any agenda item"},
			},
		},
		{
			name: "an unnumbered level 3 heading stays in the item",
			src:  lines("## 7. Update", "### Discussion", "ACTION @JS: one"),
			actions: []ActionLine{
				{Item: "7", Owners: []string{"JS"}, Text: "one", Line: 3},
			},
		},
		{
			name: "duplicate reference",
			src: lines(
				"## 4. Matters arising",
				"ACTION SBP/21/07 @JS: one",
				"## 5. Questions",
				"ACTION SBP/21/07 @AB: two",
				"ACTION SBP/21/08 @AB: three",
			),
			actions: []ActionLine{
				{Ref: "SBP/21/07", Item: "4", Owners: []string{"JS"}, Text: "one", Line: 2},
				{Ref: "SBP/21/08", Item: "5", Owners: []string{"AB"}, Text: "three", Line: 5},
			},
			errs: []wantErr{{4, "reference SBP/21/07 is already used at line 2"}},
		},
		{
			name: "no meeting date: dates need a year, meetings do not",
			src: lines(
				"## 9. VRAP",
				"ACTION @JS: one (by 30 April)",
				"ACTION @JS: two (by 30 April 2021)",
				"ACTION @JS: three (by next meeting)",
			),
			opt: &Options{},
			actions: []ActionLine{
				{Item: "9", Owners: []string{"JS"}, Text: "two", Due: &Due{Date: "2021-04-30"}, Line: 3},
				{Item: "9", Owners: []string{"JS"}, Text: "three", Due: &Due{Meeting: "next"}, Line: 4},
			},
			errs: []wantErr{{2, "30 April has no year and the date of the meeting is not known"}},
		},
	})
}

func TestDialectNotes(t *testing.T) {
	runDialectCases(t, []dialectCase{
		{
			name: "post-meeting notes",
			src: lines(
				"## 4. Minutes",
				"> Post-meeting note: the JAG has since evolved into the",
				"> Crime Reduction Action Group.",
				">",
				"> Its terms of reference are unchanged.",
				"",
				"> *Post Meeting Note:* in italics.",
				"",
				"> An ordinary quotation.",
				"> Post-meeting note: not at the start of the quote.",
				"",
				"## 9. VRAP",
				"> (post-meeting note: the visit moved to May)",
				"ACTION @JS: a line after the quote ends the note",
			),
			notes: []Note{
				{Item: "4", Text: "Post-meeting note: the JAG has since evolved into the Crime Reduction Action Group.\n\nIts terms of reference are unchanged.", Line: 2},
				{Item: "4", Text: "*Post Meeting Note:* in italics.", Line: 7},
				{Item: "9", Text: "(post-meeting note: the visit moved to May)", Line: 13},
			},
			actions: []ActionLine{{Item: "9", Owners: []string{"JS"}, Text: "a line after the quote ends the note", Line: 14}},
		},
		{
			name:  "a note outside any item",
			src:   lines("> Post-meeting note: the date of the next meeting has changed."),
			notes: []Note{{Text: "Post-meeting note: the date of the next meeting has changed.", Line: 1}},
		},
	})
}

func TestDialectFrontMatterAndCode(t *testing.T) {
	runDialectCases(t, []dialectCase{
		{
			name: "front matter is skipped and its lines counted",
			src: lines(
				"---",
				"board: Example Safer Communities Partnership",
				"title: ## 1. Not an item",
				"note: ACTION @JS: not an action",
				"---",
				"## 1. Welcome",
				"ACTION @JS: an action",
			),
			items:   []Item{{Number: "1", Title: "Welcome", Level: 2, Line: 6}},
			actions: []ActionLine{{Item: "1", Owners: []string{"JS"}, Text: "an action", Line: 7}},
		},
		{
			name: "the meeting date from the front matter when none is given",
			src: lines(
				"---",
				"meeting: 2021-03-25T10:00",
				"---",
				"## 1. Welcome",
				"ACTION @JS: one (by 30 April)",
				"ACTION @JS: two (by 1 March 2021)",
			),
			opt:     &Options{},
			actions: []ActionLine{{Item: "1", Owners: []string{"JS"}, Text: "one", Due: &Due{Date: "2021-04-30"}, Line: 5}},
			errs:    []wantErr{{6, "is before the meeting (25 March 2021)"}},
		},
		{
			name:  "front matter never closed",
			src:   lines("---", "board: Example", "## 1. Welcome"),
			items: []Item{{Number: "1", Title: "Welcome", Level: 2, Line: 3}},
			errs:  []wantErr{{1, "the front matter that starts here is never closed"}},
		},
		{
			name:  "--- later in the file is a rule, not front matter",
			src:   lines("## 1. Welcome", "---", "ACTION @JS: one", "---"),
			items: []Item{{Number: "1", Title: "Welcome", Level: 2, Line: 1}},
			actions: []ActionLine{
				{Item: "1", Owners: []string{"JS"}, Text: "one", Line: 3},
			},
		},
		{
			name: "fenced code is not read",
			src: lines(
				"## 1. How to write an action",
				"```",
				"ACTION @JS: an example, not an action",
				"## 2. not an item",
				"```",
				"~~~~ markdown",
				"RESOLVED that nothing",
				"~~~",
				"still in the code block",
				"~~~~",
				"ACTION @JS: a real one",
			),
			items:   []Item{{Number: "1", Title: "How to write an action", Level: 2, Line: 1}},
			res:     []Resolution{},
			actions: []ActionLine{{Item: "1", Owners: []string{"JS"}, Text: "a real one", Line: 11}},
		},
		{
			name:    "a code block never closed",
			src:     lines("## 1. Welcome", "```go", "ACTION @JS: hidden"),
			actions: []ActionLine{},
			errs:    []wantErr{{2, "this code block (```) is never closed"}},
		},
		{
			name: "CRLF line ends and a byte order mark",
			src:  "\uFEFF## 1. Welcome\r\nACTION @JS: one (by next meeting)\r\n\r\nRESOLVED that the update be noted.\r\n",
			items: []Item{
				{Number: "1", Title: "Welcome", Level: 2, Line: 1},
			},
			res:     []Resolution{{Item: "1", Ordinal: 1, Text: "that the update be noted.", Line: 4}},
			actions: []ActionLine{{Item: "1", Owners: []string{"JS"}, Text: "one", Due: &Due{Meeting: "next"}, Line: 2}},
		},
		{
			name:    "empty text",
			src:     "",
			items:   []Item{},
			actions: []ActionLine{},
		},
	})
}

func TestParseLimits(t *testing.T) {
	big := bytes.Repeat([]byte("ACTION @JS: x\n"), (maxMinutesSize/14)+1)
	tests := []struct {
		name string
		src  []byte
		want []wantErr
	}{
		{"over 2 MB", big, []wantErr{{1, "minutes over 2 MB"}}},
		{"invalid UTF-8", []byte("## 1. Welcome\nACTION @JS: caf\xe9\n"), []wantErr{{1, "the file is not UTF-8 text"}}},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []wantErr{{1, "the file is not UTF-8 text"}}},
		{"NUL bytes", []byte("## 1. Welcome\x00\n"), []wantErr{{1, "the file is not UTF-8 text"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parse(tt.src, Options{})
			checkErrors(t, p.Errors, tt.want)
			if len(p.Items)+len(p.Actions)+len(p.Resolutions)+len(p.Notes) != 0 {
				t.Errorf("read something from a file it refused: %+v", p)
			}
		})
	}
	// exactly 2 MB is allowed
	exact := append([]byte("## 1. Welcome\n"), bytes.Repeat([]byte("x"), maxMinutesSize-14)...)
	if p := Parse(exact, Options{}); len(p.Errors) != 0 || len(p.Items) != 1 {
		t.Errorf("2 MB exactly: %+v", p.Errors)
	}
}

// The JSON shape is INTERFACE.md's: empty lists are [], not null, and due is null when none.
func TestParseJSONShape(t *testing.T) {
	p := Parse([]byte("## 7a. Violence Reduction Action Plan {#47}\nACTION @JS: circulate it\n"), Options{})
	got := jsonOf(p)
	want := `{"items":[{"number":"7a","title":"Violence Reduction Action Plan","minute":"47","line":1}],"resolutions":[],` +
		`"actions":[{"ref":"","item":"7a","owners":["JS"],"text":"circulate it","due":null,"line":2}],"notes":[],"errors":[]}`
	if got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
}

// A func in Options that panics is the caller's bug; Parse still answers, with an error.
func TestParseRecoversFromAPanickingOwnersCheck(t *testing.T) {
	p := Parse([]byte("## 1. Welcome\nACTION @JS: one\n"), Options{Owners: func(string) error { panic("boom") }})
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, parseInternalError) {
		t.Errorf("errors: %+v", p.Errors)
	}
}

// northvaleSchedule is the board's scheduled meetings after 19 March 2026 in the fixture.
func northvaleSchedule(m time.Month, after time.Time) (string, bool) {
	for _, d := range []string{"2026-06-18", "2026-09-17", "2026-12-10"} {
		t, _ := time.Parse(time.DateOnly, d)
		if t.Month() == m && t.After(after) {
			return d, true
		}
	}
	return "", false
}

func northvaleOwners(o string) error {
	switch o {
	case "PN", "RT", "DO", "LP", "chair", "police", "partners":
		return nil
	}
	return errors.New("unknown owner @" + o + ": not a member, organisation or group of this board")
}

func northvaleOptions() Options {
	return Options{
		MeetingDate: time.Date(2026, time.March, 19, 10, 0, 0, 0, mustLondon()),
		Owners:      northvaleOwners,
		Meetings:    northvaleSchedule,
	}
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/dialect/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p := Parse(src, northvaleOptions())
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(f, ".md") + ".golden.json"
			if *updateDialect {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./minutes -run Golden -update-dialect)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Parse(%s) differs from %s (run with -update-dialect if the change is right):\n%s", f, golden, got)
			}
		})
	}
}

// The Northvale fixture is a whole meeting: check what a clerk would, beyond the golden file.
func TestParseNorthvaleMeeting(t *testing.T) {
	src, err := os.ReadFile("testdata/dialect/scp-2026-03.md")
	if err != nil {
		t.Fatal(err)
	}
	p := Parse(src, northvaleOptions())
	if len(p.Errors) != 0 {
		t.Fatalf("errors: %+v", p.Errors)
	}
	if len(p.Items) != 16 {
		t.Errorf("%d items, want 12 and 7a-7d", len(p.Items))
	}
	var counts = map[string]int{}
	for _, r := range p.Resolutions {
		counts[r.Item]++
		if r.Ordinal != counts[r.Item] {
			t.Errorf("resolution %+v: ordinal %d, want %d", r, r.Ordinal, counts[r.Item])
		}
	}
	if counts["7b"] != 2 || counts["11"] != 2 {
		t.Errorf("numbered resolutions: %v", counts)
	}
	if len(p.Notes) != 1 || p.Notes[0].Item != "4" {
		t.Errorf("notes: %+v", p.Notes)
	}
	if len(p.Actions) != 8 {
		t.Errorf("%d actions, want 8", len(p.Actions))
	}
}

// minutesOfPages writes minutes of about 100 pages (some 45,000 words) with 200 actions.
func minutesOfPages(pages, actions int) []byte {
	var b bytes.Buffer
	b.WriteString("---\nboard: Northvale Safer Communities Partnership\nmeeting: 2026-03-19T10:00\n---\n\n")
	para := "The Vice-Chair reported on progress against the plan – partners had met in the quarter, " +
		"and the “safe spaces” scheme had spent £4,500 of its £10,000 budget. Partners asked about " +
		"the timetable, the measures and the data shared between organisations, and were told that " +
		"a fuller report would follow once the figures for the quarter had been checked.\n\n"
	perPage := actions / pages
	for page := 1; page <= pages; page++ {
		fmt.Fprintf(&b, "## %d. Item %d {#%d}\n\n", page, page, 100+page)
		for range 10 {
			b.WriteString(para)
		}
		b.WriteString("RESOLVED that\n\n1. the update be noted; and\n2. a further report be brought to the\n   next meeting.\n\n")
		for a := range perPage {
			fmt.Fprintf(&b, "- ACTION @PN, @partners: circulate the revised figures for strand %d (by %d April 2026)\n", a, 20+a)
		}
		b.WriteString("\n> Post-meeting note: the figures were circulated on 20 March.\n\n")
	}
	return b.Bytes()
}

func BenchmarkParseMinutes(b *testing.B) {
	src := minutesOfPages(100, 200)
	opt := northvaleOptions()
	if p := Parse(src, opt); len(p.Actions) != 200 || len(p.Errors) != 0 {
		b.Fatalf("%d actions, errors %+v", len(p.Actions), p.Errors)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(src, opt)
	}
}
